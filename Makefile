# kdive build. Plain GNU make: one library, one CLI, tests, fuzz targets.
#   make            build/libkdive.a and build/kdive
#   make SAN=1      the same under ASan+UBSan, in build-san/
#   make check      unit tests, corpus tests and lab tests (tests/run)
#   make man        build/man/kdive.1 and kdive-commands.7 (also part of make)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := libdw libelf libbpf libedit zlib lzo2 snappy libzstd liblzma libdebuginfod

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

CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wno-missing-field-initializers -Iinclude -Isrc $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(PKG_LIBS) -lopcodes -liberty -lpthread

LIB_DIRS := base oops symbols disasm decode dump memory source kernel unwind commands probe kdump ustack
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard src/$(d)/*.c))
CLI_SRCS := $(wildcard src/cli/*.c)
TEST_SRCS := $(wildcard tests/unit/test_*.c)

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check tests install clean fuzz
all: $(BUILD)/kdive

$(BUILD)/libkdive.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/kdive: $(CLI_OBJS) $(BUILD)/libkdive.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libkdive.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libkdive.a $(LDFLAGS) $(LDLIBS) -lcmocka

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

install: $(BUILD)/kdive
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/kdive
	install -m 755 $(BUILD)/kdive $(DESTDIR)$(PREFIX)/bin/kdive
	install -m 644 $(BUILD)/libkdive.a $(DESTDIR)$(PREFIX)/lib/libkdive.a
	install -m 644 include/kdive/kdive.h $(DESTDIR)$(PREFIX)/include/kdive/kdive.h

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
