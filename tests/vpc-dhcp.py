#!/usr/bin/env python3
"""vpc-dhcp: a DHCPv4 test client on raw Ethernet, for the DHCP tests and
the benchmark.  Run it in a VM's namespace ("ip netns exec NS python3
tests/vpc-dhcp.py ..."); it needs CAP_NET_RAW.  It builds and parses
Ethernet, IPv4, UDP and DHCP (RFC 2131, 2132) itself, on an AF_PACKET
socket, so the interface needs no address (except where said below).

  vpc-dhcp.py discover [--addr IP]
        DISCOVER; prints the OFFER.
  vpc-dhcp.py request --addr IP [--server IP]
        REQUEST for IP: SELECTING with --server (options 50 and 54),
        INIT-REBOOT without (option 50 only), both broadcast from 0.0.0.0.
        Prints the ACK or the NAK.
  vpc-dhcp.py request --addr IP --rebind       (alias: --ciaddr)
        REBINDING: ciaddr=IP, sent from IP to 255.255.255.255.
  vpc-dhcp.py request --addr IP --renew --server IP [--server-mac MAC]
        RENEWING: ciaddr=IP, unicast from IP to the server, whose MAC is
        --server-mac or found by ARP (asked from IP).
  vpc-dhcp.py release --addr IP --server IP [--unicast [--server-mac MAC]]
  vpc-dhcp.py decline --addr IP --server IP
        RELEASE (ciaddr=IP, sent from IP) or DECLINE (option 50=IP, sent
        from 0.0.0.0), with option 54; broadcast unless --unicast.  No
        answer is expected: prints "sent=RELEASE" or "sent=DECLINE".
  vpc-dhcp.py inform --addr IP
        INFORM with ciaddr=IP, sent from IP; prints the ACK, which must
        carry no yiaddr and no lease time.
  vpc-dhcp.py exchange --trials N
        N exchanges DISCOVER, OFFER, REQUEST (SELECTING), ACK; prints
        "trial=I ms=T" for each, the time from the DISCOVER sent to the
        ACK received, then "median_ms=M min_ms=A max_ms=B ok=K failed=F"
        and "done_at=T" (wall-clock seconds when the last one ended).
        With --start-at T, waits for wall-clock time T first.
  vpc-dhcp.py flood --rate PPS --seconds S
        DISCOVERs (each its own xid) at PPS per second, as well as it can;
        prints "sent=N seconds=S rate=R replies=M send_errors=E".
  vpc-dhcp.py fuzz --count N [--seed S] [--listen S] [--kinds K,K...]
        N malformed DHCP frames, one kind after another (list below, or
        only those of --kinds);
        prints "KIND=N" per kind, then "total=N", then "replies=M", the
        DHCP answers (to our MAC) seen in the --listen seconds (default
        0.5) after the last.

Options of every command:
  --iface IF      the interface (default eth0)
  --mac MAC       the client's MAC: the source of its frames and its chaddr
                  (default: the interface's own)
  --timeout S     how long to wait for each answer (default 2)
  --broadcast-flag  ask the server to broadcast its answers (flags=0x8000)

Output of discover, request and inform: "key=value" lines, always these
keys in this order, empty where the answer has no such field or option:
  message       OFFER, ACK, NAK...
  yiaddr ciaddr siaddr
  server_id     option 54
  subnet_mask   option 1      router       option 3 (the first)
  broadcast     option 28     dns          option 6, comma-separated
  domain        option 15     hostname     option 12
  mtu           option 26     lease_time   option 51
  t1 t2         options 58, 59
  routes        option 121: "DEST/PLEN via GW", comma-separated
  error_message option 56 (of a NAK)
  options       the option codes of the answer, in order, comma-separated
  eth_src ip_src ip_dst   where the answer came from and went to

A clean answer from a client's point of view is a frame from UDP port 67
to 68 with our xid and chaddr.  One that cannot be parsed (bad checksum,
lengths, cookie or options) is reported on stderr as "vpc-dhcp: malformed
reply: WHY" and not taken; the command goes on waiting.

Exit status: 0 the expected answer (OFFER, ACK; for release, decline,
flood, fuzz: sent), 1 no answer in time, 2 a NAK, 3 an unexpected
answer (another message type; an INFORM ACK with yiaddr or a lease time),
4 a local error (no such interface, no permission), 64 bad usage.

Notes on addresses: RENEWING and INFORM are answered by unicast to
ciaddr.  A server that finds the client's MAC by ARP (dnsmasq, a real
router) needs IP configured on the interface first, so that the kernel
answers; the answer is caught on the raw socket either way.

Fuzz kinds, each with valid Ethernet/IPv4/UDP framing from MAC (0.0.0.0:68
to 255.255.255.255:67, checksums right) unless the framing is the point:
  truncated          the BOOTP header cut short (0 to 235 bytes)
  bad_cookie         a wrong magic cookie
  oversized_options  1,200 bytes of options (unknown ones), then END
  overload_garbage   option 52 sends the parser into sname and file,
                     which hold options running past their fields
  option_past_end    the last option's length runs past the packet
  zero_length        options 53, 50, 61 and 55 with length 0
  unterminated       options without END, up to the packet's end
  no_msg_type        no option 53
  unknown_msg_type   option 53 with 0 or 19 to 255
  chaddr_mismatch    a chaddr that is not MAC
  huge_hlen          hlen from 17 to 255
  bad_op             op other than 1 (BOOTREQUEST)
  bad_udp_length     the UDP length too large, or under 8
  bad_ip_length      the IP total length past the frame, or short of
                     the IP header, the UDP header or the UDP length
  ip_options         an IP header with options (IHL 6 to 15)
  fragment           an IP fragment: a first one (MF) or a later one
"""
import argparse
import random
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_CSUMNOTREADY = 1 << 3     # A local sender left the checksum to
                                    # an offload that never ran (veth).
BROADCAST_MAC = b"\xff" * 6
MAGIC = b"\x63\x82\x53\x63"
BOOTP_LEN = 236          # The fixed header, up to the cookie.
MIN_BOOTP = 300          # What clients pad a message to.

MSG_TYPES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE",
             5: "ACK", 6: "NAK", 7: "RELEASE", 8: "INFORM"}
MSG_CODES = {v: k for k, v in MSG_TYPES.items()}
PARAMS = bytes([1, 3, 6, 12, 15, 26, 28, 51, 54, 58, 59, 121])

EXIT_OK, EXIT_TIMEOUT, EXIT_NAK, EXIT_UNEXPECTED, EXIT_LOCAL = 0, 1, 2, 3, 4
EXIT_USAGE = 64


class Malformed(Exception):
    """A frame that should be a DHCP answer, but cannot be parsed."""


class LocalError(Exception):
    """Something wrong on this side: the interface, permissions."""


class NoAnswer(Exception):
    """No answer in time, before the DHCP message could even be sent."""


# ------------------------------------------------------------ Addresses

def mac_bytes(s):
    parts = s.split(":")
    if len(parts) != 6:
        raise ValueError("%s: not a MAC address" % s)
    return bytes(int(p, 16) for p in parts)


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def ip_bytes(s):
    return socket.inet_aton(s)


def ip_str(b):
    return socket.inet_ntoa(b)


def interface_mac(iface):
    try:
        with open("/sys/class/net/%s/address" % iface) as f:
            return mac_bytes(f.read().strip())
    except OSError:
        raise LocalError("%s: no such interface" % iface)
    except ValueError as e:
        raise LocalError("%s: %s" % (iface, e))


# ------------------------------------------------------------- Building

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ether(dst, src, ethertype, payload):
    frame = dst + src + struct.pack("!H", ethertype) + payload
    return frame + b"\0" * max(0, 60 - len(frame))


def ipv4(src, dst, payload, proto=17, frag=0, options=b"",
         total_length=None, ttl=64):
    """An IPv4 header and 'payload'; 'frag' is the flags and offset field.
    The checksum is right for whatever the header says."""
    ihl = 5 + len(options) // 4
    if total_length is None:
        total_length = ihl * 4 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total_length,
                      random.getrandbits(16), frag, ttl, proto, 0,
                      ip_bytes(src), ip_bytes(dst)) + options
    csum = checksum(hdr)
    return hdr[:10] + struct.pack("!H", csum) + hdr[12:] + payload


def udp(src, dst, sport, dport, payload, length=None, csum=True):
    """A UDP header and 'payload'; a wrong 'length' gets checksum 0."""
    if length is None:
        length = 8 + len(payload)
    else:
        csum = False
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    if csum:
        pseudo = (ip_bytes(src) + ip_bytes(dst)
                  + struct.pack("!BBH", 0, 17, length))
        c = checksum(pseudo + hdr + payload) or 0xffff
        hdr = hdr[:6] + struct.pack("!H", c)
    return hdr + payload


def option(code, value):
    return bytes([code, len(value)]) + value


def options(*opts, end=True):
    return b"".join(opts) + (b"\xff" if end else b"")


def bootp(xid, chaddr, opts, op=1, hlen=6, flags=0, ciaddr="0.0.0.0",
          cookie=MAGIC, sname=b"", file=b"", pad=True):
    msg = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op, 1, hlen, 0, xid, 0,
                      flags, ip_bytes(ciaddr), b"\0" * 4, b"\0" * 4,
                      b"\0" * 4, chaddr, sname, file) + cookie + opts
    if pad:
        msg += b"\0" * max(0, MIN_BOOTP - len(msg))
    return msg


# -------------------------------------------------------------- Parsing

def parse_options(data, where="options"):
    """Returns [(code, value)] of the options in 'data', up to END or the
    end of 'data'."""
    out = []
    i = 0
    while i < len(data):
        code = data[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(data):
            raise Malformed("%s: option %d has no length byte" % (where, code))
        n = data[i + 1]
        if i + 2 + n > len(data):
            raise Malformed("%s: option %d of length %d runs past the end"
                            % (where, code, n))
        out.append((code, data[i + 2:i + 2 + n]))
        i += 2 + n
    return out


def decode_routes(v):
    routes = []
    i = 0
    while i < len(v):
        plen = v[i]
        n = (plen + 7) // 8
        if plen > 32 or i + 1 + n + 4 > len(v):
            raise Malformed("option 121: bad route at byte %d" % i)
        dest = v[i + 1:i + 1 + n] + b"\0" * (4 - n)
        gw = v[i + 1 + n:i + 5 + n]
        routes.append("%s/%d via %s" % (ip_str(dest), plen, ip_str(gw)))
        i += 5 + n
    return ",".join(routes)


def decode_ips(code, v, one=False):
    if not v or len(v) % 4 or (one and len(v) != 4):
        raise Malformed("option %d has length %d" % (code, len(v)))
    return ",".join(ip_str(v[i:i + 4]) for i in range(0, len(v), 4))


def decode_int(code, v, size):
    if len(v) != size:
        raise Malformed("option %d has length %d, not %d"
                        % (code, len(v), size))
    return str(int.from_bytes(v, "big"))


def decode_text(code, v):
    return v.decode("ascii", "backslashreplace").rstrip("\0")


DECODERS = {
    1: ("subnet_mask", lambda c, v: decode_ips(c, v, True)),
    3: ("router", lambda c, v: decode_ips(c, v).split(",")[0]),
    6: ("dns", decode_ips),
    12: ("hostname", decode_text),
    15: ("domain", decode_text),
    26: ("mtu", lambda c, v: decode_int(c, v, 2)),
    28: ("broadcast", lambda c, v: decode_ips(c, v, True)),
    51: ("lease_time", lambda c, v: decode_int(c, v, 4)),
    54: ("server_id", lambda c, v: decode_ips(c, v, True)),
    56: ("error_message", decode_text),
    58: ("t1", lambda c, v: decode_int(c, v, 4)),
    59: ("t2", lambda c, v: decode_int(c, v, 4)),
    121: ("routes", lambda c, v: decode_routes(v)),
}

KEYS = ["message", "yiaddr", "ciaddr", "siaddr", "server_id", "subnet_mask",
        "router", "broadcast", "dns", "domain", "hostname", "mtu",
        "lease_time", "t1", "t2", "routes", "error_message", "options",
        "eth_src", "ip_src", "ip_dst"]


def parse_reply(frame, csum_ready=True):
    """Returns the DHCP answer in 'frame' as a dict, with 'xid' and
    'chaddr', or None if the frame is no UDP 67 -> 68 datagram.  Raises
    Malformed for one that is, but cannot be parsed.  The UDP checksum is
    checked only if 'csum_ready'."""
    if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0f) * 4
    if ip[0] >> 4 != 4 or ihl < 20 or ip[9] != 17 or len(ip) < ihl + 8:
        return None
    frag = struct.unpack("!H", ip[6:8])[0]
    if frag & 0x3fff:
        return None                      # A fragment: no UDP header.
    sport, dport, ulen, ucsum = struct.unpack("!HHHH", ip[ihl:ihl + 8])
    if (sport, dport) != (67, 68):
        return None

    total = struct.unpack("!H", ip[2:4])[0]
    if total < ihl + 8 or total > len(ip):
        raise Malformed("IP total length %d, frame holds %d" % (total,
                                                                 len(ip)))
    if checksum(ip[:ihl]):
        raise Malformed("bad IP header checksum")
    if ulen < 8 or ihl + ulen > total:
        raise Malformed("UDP length %d, IP payload %d" % (ulen, total - ihl))
    seg = ip[ihl:ihl + ulen]
    if ucsum and csum_ready:
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, ulen)
        if checksum(pseudo + seg):
            raise Malformed("bad UDP checksum")
    msg = seg[8:]
    if len(msg) < BOOTP_LEN + 4:
        raise Malformed("BOOTP message of %d bytes" % len(msg))
    op, _htype, hlen = msg[0], msg[1], msg[2]
    xid = struct.unpack("!I", msg[4:8])[0]
    r = {"xid": xid, "chaddr": msg[28:28 + min(hlen, 16)]}
    if op != 2:
        raise Malformed("op %d, not BOOTREPLY (xid %#x)" % (op, xid))
    if msg[BOOTP_LEN:BOOTP_LEN + 4] != MAGIC:
        raise Malformed("bad magic cookie (xid %#x)" % xid)

    opts = parse_options(msg[BOOTP_LEN + 4:])
    overload = [v for c, v in opts if c == 52]
    if overload and len(overload[0]) == 1 and overload[0][0] in (1, 2, 3):
        if overload[0][0] & 1:
            opts += parse_options(msg[108:236], "file")
        if overload[0][0] & 2:
            opts += parse_options(msg[44:108], "sname")

    merged = {}                          # RFC 3396: concatenated.
    order = []
    for code, value in opts:
        if code not in merged:
            order.append(code)
            merged[code] = b""
        merged[code] += value

    r.update({k: "" for k in KEYS})
    r["yiaddr"] = ip_str(msg[16:20])
    r["ciaddr"] = ip_str(msg[12:16])
    r["siaddr"] = ip_str(msg[20:24])
    r["options"] = ",".join(str(c) for c in order)
    r["eth_src"] = mac_str(frame[6:12])
    r["ip_src"] = ip_str(ip[12:16])
    r["ip_dst"] = ip_str(ip[16:20])
    if 53 not in merged or len(merged[53]) != 1:
        raise Malformed("no message type (xid %#x)" % xid)
    r["message"] = MSG_TYPES.get(merged[53][0], "TYPE%d" % merged[53][0])
    for code, (key, decode) in DECODERS.items():
        if code in merged:
            r[key] = decode(code, merged[code])
    return r


def print_reply(r):
    for k in KEYS:
        print("%s=%s" % (k, r[k]))
    sys.stdout.flush()


# --------------------------------------------------------------- Client

class Client:
    def __init__(self, args):
        self.iface = args.iface
        self.mac = mac_bytes(args.mac) if args.mac else interface_mac(
            args.iface)
        self.timeout = args.timeout
        self.flags = 0x8000 if args.broadcast_flag else 0
        try:
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                      socket.htons(ETH_P_IP))
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                                 1 << 21)
            self.sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            self.sock.bind((self.iface, ETH_P_IP))
        except OSError as e:
            raise LocalError("%s: %s" % (self.iface, e.strerror or e))
        self.chaddr = self.mac + b"\0" * 10

    def send(self, frame):
        self.sock.send(frame)

    def frame(self, msgtype, xid, opts=(), ciaddr="0.0.0.0",
              ip_src="0.0.0.0", ip_dst="255.255.255.255",
              eth_dst=BROADCAST_MAC):
        """A client message of 'msgtype' ("DISCOVER"...) with options
        'opts' after the message type and parameter list."""
        o = options(option(53, bytes([MSG_CODES[msgtype]])),
                    option(55, PARAMS), *opts)
        msg = bootp(xid, self.chaddr, o, flags=self.flags, ciaddr=ciaddr)
        return ether(eth_dst, self.mac, ETH_P_IP,
                     ipv4(ip_src, ip_dst, udp(ip_src, ip_dst, 68, 67, msg)))

    def recv(self, flags=0):
        """Returns (frame, sockaddr, whether the UDP checksum is there to
        check)."""
        frame, anc, _, addr = self.sock.recvmsg(65535, 64, flags)
        ready = True
        for level, kind, data in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                status = struct.unpack_from("I", data)[0]
                ready = not status & TP_STATUS_CSUMNOTREADY
        return frame, addr, ready

    def wait(self, xid, timeout=None):
        """Returns the first clean answer with 'xid' and our chaddr, or
        None after 'timeout' seconds."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                frame, addr, ready = self.recv()
            except socket.timeout:
                return None
            if addr[0] != self.iface or addr[2] == PACKET_OUTGOING:
                continue
            try:
                r = parse_reply(frame, ready)
            except Malformed as e:
                sys.stderr.write("vpc-dhcp: malformed reply from %s: %s\n"
                                 % (mac_str(frame[6:12]), e))
                continue
            if r and r["xid"] == xid and r["chaddr"][:6] == self.mac:
                return r

    def drain(self):
        """Counts the DHCP answers to our MAC waiting on the socket."""
        n = 0
        while True:
            try:
                frame, addr, ready = self.recv(socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return n
            if addr[2] == PACKET_OUTGOING:
                continue
            try:
                r = parse_reply(frame, ready)
            except Malformed:
                continue
            n += bool(r and r["chaddr"][:6] == self.mac)

    def arp(self, target, sender):
        """Returns the MAC of 'target', asked from 'sender', or raises
        NoAnswer."""
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(ETH_P_ARP))
        s.bind((self.iface, ETH_P_ARP))
        req = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 1, self.mac,
                          ip_bytes(sender), b"\0" * 6, ip_bytes(target))
        s.send(ether(BROADCAST_MAC, self.mac, ETH_P_ARP, req))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            s.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                frame = s.recv(2048)
            except socket.timeout:
                break
            if len(frame) < 42 or frame[12:14] != b"\x08\x06":
                continue
            op = struct.unpack("!H", frame[20:22])[0]
            if op == 2 and frame[28:32] == ip_bytes(target):
                return frame[22:28]
        raise NoAnswer("%s: no ARP answer" % target)


def new_xid():
    return random.getrandbits(32)


def expect(r, message):
    """Prints answer 'r' and returns the exit status for it."""
    if r is None:
        sys.stderr.write("vpc-dhcp: no answer\n")
        return EXIT_TIMEOUT
    print_reply(r)
    if r["message"] == message:
        return EXIT_OK
    return EXIT_NAK if r["message"] == "NAK" else EXIT_UNEXPECTED


# ------------------------------------------------------------- Commands

def cmd_discover(c, args):
    xid = new_xid()
    opts = [option(50, ip_bytes(args.addr))] if args.addr else []
    c.send(c.frame("DISCOVER", xid, opts))
    return expect(c.wait(xid), "OFFER")


def cmd_request(c, args):
    xid = new_xid()
    if args.renew:
        dst = (mac_bytes(args.server_mac) if args.server_mac
               else c.arp(args.server, args.addr))
        frame = c.frame("REQUEST", xid, ciaddr=args.addr, ip_src=args.addr,
                        ip_dst=args.server, eth_dst=dst)
    elif args.rebind:
        frame = c.frame("REQUEST", xid, ciaddr=args.addr, ip_src=args.addr)
    else:
        opts = [option(50, ip_bytes(args.addr))]
        if args.server:
            opts.append(option(54, ip_bytes(args.server)))
        frame = c.frame("REQUEST", xid, opts)
    c.send(frame)
    return expect(c.wait(xid), "ACK")


def cmd_release_decline(c, args, msgtype):
    xid = new_xid()
    dst, eth_dst = "255.255.255.255", BROADCAST_MAC
    if getattr(args, "unicast", False):
        dst = args.server
        eth_dst = (mac_bytes(args.server_mac) if args.server_mac
                   else c.arp(args.server, args.addr))
    opts = [option(54, ip_bytes(args.server))]
    if msgtype == "RELEASE":
        frame = c.frame(msgtype, xid, opts, ciaddr=args.addr,
                        ip_src=args.addr, ip_dst=dst, eth_dst=eth_dst)
    else:
        opts.append(option(50, ip_bytes(args.addr)))
        frame = c.frame(msgtype, xid, opts, ip_dst=dst, eth_dst=eth_dst)
    c.send(frame)
    print("sent=%s" % msgtype)
    return EXIT_OK


def cmd_inform(c, args):
    xid = new_xid()
    c.send(c.frame("INFORM", xid, ciaddr=args.addr, ip_src=args.addr))
    r = c.wait(xid)
    status = expect(r, "ACK")
    if status == EXIT_OK and (r["yiaddr"] != "0.0.0.0" or r["lease_time"]):
        sys.stderr.write("vpc-dhcp: an INFORM's ACK with yiaddr %s and "
                         "lease time '%s'\n" % (r["yiaddr"], r["lease_time"]))
        status = EXIT_UNEXPECTED
    return status


def one_exchange(c):
    """DISCOVER to ACK; returns milliseconds, or a reason for failing."""
    xid = new_xid()
    frame = c.frame("DISCOVER", xid)
    start = time.perf_counter()
    c.send(frame)
    offer = c.wait(xid)
    if not offer or offer["message"] != "OFFER" or not offer["server_id"]:
        return "no OFFER" if not offer else "got %s" % offer["message"]
    c.send(c.frame("REQUEST", xid, [option(50, ip_bytes(offer["yiaddr"])),
                                    option(54,
                                           ip_bytes(offer["server_id"]))]))
    ack = c.wait(xid)
    end = time.perf_counter()
    if not ack or ack["message"] != "ACK":
        return "no ACK" if not ack else "got %s" % ack["message"]
    return (end - start) * 1000.0


def cmd_exchange(c, args):
    times = []
    failed = 0
    if args.start_at:
        # Many clients started one by one begin together: the socket is
        # open, only the exchanges wait.
        late = time.time() - args.start_at
        print("late_ms=%.1f" % max(0.0, late * 1000))
        time.sleep(max(0.0, -late))
    for i in range(1, args.trials + 1):
        t = one_exchange(c)
        if isinstance(t, str):
            failed += 1
            print("trial=%d failed=%s" % (i, t.replace(" ", "_")))
        else:
            times.append(t)
            print("trial=%d ms=%.3f" % (i, t))
        sys.stdout.flush()
    if times:
        s = sorted(times)
        n = len(s)
        median = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
        print("median_ms=%.3f min_ms=%.3f max_ms=%.3f ok=%d failed=%d"
              % (median, s[0], s[-1], n, failed))
    else:
        print("median_ms= min_ms= max_ms= ok=0 failed=%d" % failed)
    print("done_at=%.6f" % time.time())
    return EXIT_OK if not failed else EXIT_TIMEOUT


def cmd_flood(c, args):
    # One frame, its xid patched in place; UDP checksum 0 (allowed) so
    # that nothing else changes.
    base = bytearray(c.frame("DISCOVER", 0))
    base[14 + 20 + 6:14 + 20 + 8] = b"\0\0"
    xid_at = 14 + 20 + 8 + 4
    interval = 1.0 / args.rate
    sent = errors = replies = 0
    start = time.perf_counter()
    end = start + args.seconds
    next_t = start
    while True:
        now = time.perf_counter()
        if now >= end:
            break
        if now < next_t:
            replies += c.drain()
            pause = min(next_t, end) - now - 0.0005
            if pause > 0.0005:
                time.sleep(pause)
            continue
        # Behind schedule: catch up, but not in one unbounded burst.
        for _ in range(min(64, int((now - next_t) / interval) + 1)):
            struct.pack_into("!I", base, xid_at, random.getrandbits(32))
            try:
                c.send(base)
                sent += 1
            except OSError:
                errors += 1
            next_t += interval
    elapsed = time.perf_counter() - start
    time.sleep(0.2)
    replies += c.drain()
    print("sent=%d seconds=%.3f rate=%.0f replies=%d send_errors=%d"
          % (sent, elapsed, sent / elapsed if elapsed else 0, replies,
             errors))
    return EXIT_OK


# ----------------------------------------------------------------- Fuzz

def fuzz_frame(c, kind, rnd):
    """One malformed DHCP frame of 'kind', varied by 'rnd'."""
    xid = rnd.getrandbits(32)
    src, dst = "0.0.0.0", "255.255.255.255"
    disc = option(53, b"\x01")
    chaddr = c.chaddr
    o = options(disc, option(55, PARAMS))
    msg = None
    udp_len = ip_len = None
    ip_opts = b""
    frag = 0

    if kind == "truncated":
        msg = bootp(xid, chaddr, o)[:rnd.randrange(0, BOOTP_LEN)]
    elif kind == "bad_cookie":
        msg = bootp(xid, chaddr, o, cookie=bytes(rnd.getrandbits(8)
                                                 for _ in range(4)))
        if msg[BOOTP_LEN:BOOTP_LEN + 4] == MAGIC:
            msg = msg[:BOOTP_LEN] + b"\0\0\0\0" + msg[BOOTP_LEN + 4:]
    elif kind == "oversized_options":
        junk = b"".join(option(rnd.randrange(224, 254),
                               bytes(rnd.getrandbits(8) for _ in range(48)))
                        for _ in range(24))
        msg = bootp(xid, chaddr, options(disc, junk))
    elif kind == "overload_garbage":
        garbage = option(6, b"\x01\x02\x03\x04") + bytes([3, 200])
        msg = bootp(xid, chaddr, options(disc, option(52, b"\x03")),
                    sname=garbage, file=garbage + b"\x0c")
    elif kind == "option_past_end":
        msg = bootp(xid, chaddr, disc + bytes([12, rnd.randrange(10, 256)])
                    + b"host", pad=False)
    elif kind == "zero_length":
        msg = bootp(xid, chaddr, options(option(53, b""), option(50, b""),
                                         option(61, b""), option(55, b"")))
    elif kind == "unterminated":
        body = disc + option(55, PARAMS)
        msg = bootp(xid, chaddr, body, pad=False)
        # Pads are options too: fill with a host name, no END.
        room = MIN_BOOTP - len(msg) - 2
        msg += option(12, b"h" * max(1, room))
    elif kind == "no_msg_type":
        msg = bootp(xid, chaddr, options(option(55, PARAMS),
                                         option(50, b"\x0a\x00\x01\x02")))
    elif kind == "unknown_msg_type":
        t = rnd.choice([0] + list(range(19, 256)))
        msg = bootp(xid, chaddr, options(option(53, bytes([t]))))
    elif kind == "chaddr_mismatch":
        other = bytes([0x0a] + [rnd.getrandbits(8) for _ in range(5)])
        if other == c.mac:
            other = b"\x0a\xff\xff\xff\xff\xff"
        msg = bootp(xid, other + b"\0" * 10, o)
    elif kind == "huge_hlen":
        msg = bootp(xid, chaddr, o, hlen=rnd.randrange(17, 256))
    elif kind == "bad_op":
        msg = bootp(xid, chaddr, o, op=rnd.choice([0, 2, 3, 255]))
    elif kind == "bad_udp_length":
        msg = bootp(xid, chaddr, o)
        udp_len = rnd.choice([rnd.randrange(0, 8),
                              8 + len(msg) + rnd.randrange(1, 1000)])
    elif kind == "bad_ip_length":
        msg = bootp(xid, chaddr, o)
        full = 28 + len(msg)
        ip_len = rnd.choice([rnd.randrange(0, 20),      # Under the header.
                             rnd.randrange(20, 28),     # Under UDP's.
                             rnd.randrange(28, full),   # Under UDP length.
                             full + rnd.randrange(1, 1000)])
    elif kind == "ip_options":
        msg = bootp(xid, chaddr, o)
        words = rnd.randrange(1, 11)
        ip_opts = b"\x94\x04\x00\x00" + b"\x01" * (4 * words - 4)
    elif kind == "fragment":
        msg = bootp(xid, chaddr, o)
        if rnd.getrandbits(1):
            frag = 0x2000                # MF, offset 0.
        else:
            frag = rnd.randrange(1, 0x2000) | rnd.choice([0, 0x2000])
    else:
        raise AssertionError(kind)

    seg = udp(src, dst, 68, 67, msg, length=udp_len)
    if frag & 0x2000 and not frag & 0x1fff:
        seg = seg[:8 + 8 * rnd.randrange(1, len(msg) // 8)]
    elif frag & 0x1fff:
        seg = seg[8:8 + 8 * rnd.randrange(1, len(msg) // 8)]
    pkt = ipv4(src, dst, seg, frag=frag, options=ip_opts,
               total_length=ip_len)
    return ether(BROADCAST_MAC, c.mac, ETH_P_IP, pkt)


FUZZ_KINDS = ["truncated", "bad_cookie", "oversized_options",
              "overload_garbage", "option_past_end", "zero_length",
              "unterminated", "no_msg_type", "unknown_msg_type",
              "chaddr_mismatch", "huge_hlen", "bad_op", "bad_udp_length",
              "bad_ip_length", "ip_options", "fragment"]


def cmd_fuzz(c, args):
    rnd = random.Random(args.seed)
    kinds = args.kinds.split(",") if args.kinds else FUZZ_KINDS
    for k in kinds:
        if k not in FUZZ_KINDS:
            sys.stderr.write("vpc-dhcp: unknown fuzz kind %s\n" % k)
            return EXIT_USAGE
    counts = {k: 0 for k in kinds}
    for i in range(args.count):
        kind = kinds[i % len(kinds)]
        c.send(fuzz_frame(c, kind, rnd))
        counts[kind] += 1
    for k in kinds:
        print("%s=%d" % (k, counts[k]))
    print("total=%d" % args.count)
    sys.stdout.flush()
    time.sleep(args.listen)
    print("replies=%d" % c.drain())
    return EXIT_OK


# ----------------------------------------------------------------- Main

class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write("vpc-dhcp: %s\n" % message)
        sys.exit(EXIT_USAGE)


def positive(kind):
    def parse(s):
        v = kind(s)
        if v <= 0:
            raise argparse.ArgumentTypeError("%s is not positive" % s)
        return v
    return parse


def ip_arg(s):
    try:
        socket.inet_aton(s)
    except OSError:
        raise argparse.ArgumentTypeError("%s: not an IPv4 address" % s)
    if s.count(".") != 3:
        raise argparse.ArgumentTypeError("%s: not an IPv4 address" % s)
    return s


def mac_arg(s):
    try:
        mac_bytes(s)
    except ValueError:
        raise argparse.ArgumentTypeError("%s: not a MAC address" % s)
    return s


def make_parser():
    common = Parser(add_help=False)
    common.add_argument("--iface", default="eth0")
    common.add_argument("--mac", type=mac_arg)
    common.add_argument("--timeout", type=positive(float), default=2.0)
    common.add_argument("--broadcast-flag", action="store_true")

    p = Parser(prog="vpc-dhcp.py", description=__doc__,
               formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    d = sub.add_parser("discover", parents=[common])
    d.add_argument("--addr", type=ip_arg)
    r = sub.add_parser("request", parents=[common])
    r.add_argument("--addr", type=ip_arg, required=True)
    r.add_argument("--server", type=ip_arg)
    r.add_argument("--server-mac", type=mac_arg)
    state = r.add_mutually_exclusive_group()
    state.add_argument("--renew", action="store_true")
    state.add_argument("--rebind", "--ciaddr", action="store_true")
    for name in ("release", "decline"):
        x = sub.add_parser(name, parents=[common])
        x.add_argument("--addr", type=ip_arg, required=True)
        x.add_argument("--server", type=ip_arg, required=True)
        x.add_argument("--unicast", action="store_true")
        x.add_argument("--server-mac", type=mac_arg)
    i = sub.add_parser("inform", parents=[common])
    i.add_argument("--addr", type=ip_arg, required=True)
    e = sub.add_parser("exchange", parents=[common])
    e.add_argument("--trials", type=positive(int), default=20)
    e.add_argument("--start-at", type=float, default=0.0)
    f = sub.add_parser("flood", parents=[common])
    f.add_argument("--rate", type=positive(float), required=True)
    f.add_argument("--seconds", type=positive(float), required=True)
    z = sub.add_parser("fuzz", parents=[common])
    z.add_argument("--count", type=positive(int), required=True)
    z.add_argument("--seed", type=int, default=0)
    z.add_argument("--listen", type=float, default=0.5)
    z.add_argument("--kinds")
    return p


COMMANDS = {
    "discover": cmd_discover,
    "request": cmd_request,
    "release": lambda c, a: cmd_release_decline(c, a, "RELEASE"),
    "decline": lambda c, a: cmd_release_decline(c, a, "DECLINE"),
    "inform": cmd_inform,
    "exchange": cmd_exchange,
    "flood": cmd_flood,
    "fuzz": cmd_fuzz,
}


def main():
    parser = make_parser()
    args = parser.parse_args()
    if args.command == "request" and args.renew and not args.server:
        parser.error("request --renew needs --server")
    try:
        c = Client(args)
        status = COMMANDS[args.command](c, args)
    except LocalError as e:
        sys.stderr.write("vpc-dhcp: %s\n" % e)
        status = EXIT_LOCAL
    except NoAnswer as e:
        sys.stderr.write("vpc-dhcp: %s\n" % e)
        status = EXIT_TIMEOUT
    except OSError as e:
        sys.stderr.write("vpc-dhcp: %s\n" % (e.strerror or e))
        status = EXIT_LOCAL
    except KeyboardInterrupt:
        status = EXIT_LOCAL
    sys.exit(status)


if __name__ == "__main__":
    main()
