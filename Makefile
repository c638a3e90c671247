# kdive build. Plain GNU make: one library, one CLI, tests, fuzz targets.
#   make            build/libkdive.a, build/libkdive.so.0 and build/kdive
#   make SAN=1      the same under ASan+UBSan, in build-san/
#   make check      unit tests, corpus tests and lab tests (tests/run)
#   make man        build/man/kdive.1 and kdive-commands.7 (also part of make)
#   make install    PREFIX=/usr/local LIBDIR=$(PREFIX)/lib DESTDIR=
#   make deb        the Debian packages, built from a copy of the tree, in build/deb/

PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
DESTDIR ?=
CC      ?= cc
LIB_PKGS := libdw libelf libbpf zlib lzo2 snappy libzstd liblzma libdebuginfod
PKGS    := $(LIB_PKGS) libedit
# libopcodes and libiberty have no .pc file.
LIB_EXTRA := -lopcodes -liberty -lpthread

# The release (kdive --version) names the shared library's file; its
# soname changes only when the ABI does.
VERSION := $(shell sed -n 's/^\#define KDIVE_VERSION "\(.*\)"/\1/p' src/cli/main.c)
SOMAJOR := 0
SONAME  := libkdive.so.$(SOMAJOR)

ifeq ($(SAN),1)
BUILD   ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT     := -O1
else
BUILD   ?= build
SANFLAGS :=
OPT     := -O2
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIB_LIBS   := $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null) $(LIB_EXTRA)

# Warnings are errors here; a distribution's build with another compiler
# passes WERROR= (debian/rules) rather than fail on a new warning.
WERROR  ?= -Werror
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes \
           -Wno-missing-field-initializers -Iinclude -Isrc $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(PKG_LIBS) $(LIB_EXTRA)

LIB_DIRS := base oops symbols disasm decode dump memory source kernel unwind commands probe kdump ustack
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard src/$(d)/*.c))
CLI_SRCS := $(wildcard src/cli/*.c)
TEST_SRCS := $(wildcard tests/unit/test_*.c)

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check check-nolab tests install deb clean fuzz
all: $(BUILD)/kdive $(BUILD)/libkdive.so

# One set of objects for both libraries: position-independent, and only
# what kdive.h declares visible outside the shared one (its pragma).
$(LIB_OBJS): CFLAGS += -fPIC -fvisibility=hidden

$(BUILD)/libkdive.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# -z defs: every symbol resolved now, not by the program that loads it;
# --exclude-libs: libiberty.a's functions stay inside, not exported.
$(BUILD)/libkdive.so.$(VERSION): $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,-z,defs -Wl,--exclude-libs,ALL -Wl,--as-needed \
	  $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(BUILD)/$(SONAME): $(BUILD)/libkdive.so.$(VERSION)
	ln -sf $(notdir $<) $@

$(BUILD)/libkdive.so: $(BUILD)/$(SONAME)
	ln -sf $(notdir $<) $@

$(BUILD)/kdive: $(CLI_OBJS) $(BUILD)/libkdive.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libkdive.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libkdive.a $(LDFLAGS) $(LDLIBS) -lcmocka

tests: $(BUILD)/kdive $(TEST_BINS)

# The man pages are the program's own help text (scripts/gen-man), made
# from the binary just built, so they say what --help and `help` say.
MAN_PAGES := $(BUILD)/man/kdive.1 $(BUILD)/man/kdive-commands.7
.PHONY: man install-man install-completion
man: $(MAN_PAGES)
all tests: $(MAN_PAGES)

$(BUILD)/man/%: $(BUILD)/kdive scripts/gen-man
	@mkdir -p $(dir $@)
	scripts/gen-man $(BUILD)/kdive $* >$@.tmp && mv $@.tmp $@

# The suite runs on the ASan+UBSan build; the plain build must compile too.
check: all
	$(MAKE) SAN=1 tests
	KDIVE_BUILD=build-san tests/run

# The unit tests that need neither the crash lab nor the oops corpus (the
# package build's: it has neither).
DATA_TESTS := test_dump_formats test_module_orc test_oops_corpus
check-nolab: $(filter-out $(DATA_TESTS:%=$(BUILD)/tests/%),$(TEST_BINS))
	for t in $^; do $$t || exit 1; done

# kdive.pc is written here, where the prefix and libdir are known.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include/kdive
	install -m 755 $(BUILD)/kdive $(DESTDIR)$(PREFIX)/bin/kdive
	install -m 644 $(BUILD)/libkdive.so.$(VERSION) $(BUILD)/libkdive.a $(DESTDIR)$(LIBDIR)/
	ln -sf libkdive.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libkdive.so
	install -m 644 include/kdive/kdive.h $(DESTDIR)$(PREFIX)/include/kdive/kdive.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@LIBS_PRIVATE@|$(strip $(LIB_LIBS))|' \
	    kdive.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/kdive.pc

# The packages are built from a copy of the tracked and new files, as
# they are now: dh_auto_clean's `make clean` must not touch this tree.
DEB_DIR ?= $(BUILD)/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/kdive-$(VERSION)
	git ls-files -z --cached --others --exclude-standard >$(DEB_DIR)/files
	tar --null --ignore-failed-read -T $(DEB_DIR)/files -cf - | tar -xf - -C $(DEB_DIR)/kdive-$(VERSION)
	# not this make's flags (SAN=1, CFLAGS=...): the package's own
	cd $(DEB_DIR)/kdive-$(VERSION) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b -J2

install: install-man install-completion
install-man: $(MAN_PAGES)
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 644 $(BUILD)/man/kdive.1 $(DESTDIR)$(PREFIX)/share/man/man1/kdive.1
	install -m 644 $(BUILD)/man/kdive-commands.7 $(DESTDIR)$(PREFIX)/share/man/man7/kdive-commands.7
install-completion:
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 completion/kdive $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kdive

# libFuzzer targets: clang only, never part of the normal build.
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined" build-fuzz/libkdive.a
	@mkdir -p build-fuzz/fuzz
	for f in $(FUZZ_SRCS); do \
	  clang -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Isrc $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
	    -o build-fuzz/fuzz/$$(basename $$f .c) $$f build-fuzz/libkdive.a $(PKG_LIBS) -lopcodes -lpthread || exit 1; \
	done

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)
