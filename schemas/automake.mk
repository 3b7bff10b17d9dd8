# schemas/: the data model and its documentation (vpc(5)).
dist_pkgdata_DATA += schemas/vpc.ovsschema
EXTRA_DIST += schemas/vpc.xml
man_MANS += schemas/vpc.5
CLEANFILES += schemas/vpc.5

# ovsdb-doc fails on any undocumented table or column, so an
# undocumented column fails the build.
schemas/vpc.5: schemas/vpc.ovsschema schemas/vpc.xml
	$(AM_V_GEN)$(OVSDB_DOC) --version=$(VERSION) \
		$(srcdir)/schemas/vpc.ovsschema $(srcdir)/schemas/vpc.xml \
		> $@.tmp && mv $@.tmp $@
all-local: schemas/vpc.5
