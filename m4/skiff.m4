# Skiff's own configure macros.

# SKIFF_REQUIRE_PKG(VARIABLE-PREFIX, PKG-CONFIG-MODULE, DEBIAN-PACKAGE)
# ---------------------------------------------------------------------
# Looks up PKG-CONFIG-MODULE with pkg-config and sets PREFIX_CFLAGS and
# PREFIX_LIBS.  Stops configure with the Debian package to install when
# the module is missing.
AC_DEFUN([SKIFF_REQUIRE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([pkg-config module '$2' not found.
Install it with: apt-get install $3])])
])

# SKIFF_ENABLE_WARNINGS
# ---------------------
# The warnings every build uses.  Sets WARNING_CFLAGS.
AC_DEFUN([SKIFF_ENABLE_WARNINGS], [
  WARNING_CFLAGS="-std=gnu11 -Wall -Wextra -Wno-unused-parameter"
  WARNING_CFLAGS="$WARNING_CFLAGS -Wmissing-prototypes -Wstrict-prototypes"
  WARNING_CFLAGS="$WARNING_CFLAGS -Wpointer-arith -Wformat=2 -Wshadow"
  WARNING_CFLAGS="$WARNING_CFLAGS -Wno-format-nonliteral"
  AC_SUBST([WARNING_CFLAGS])
])

# SKIFF_ENABLE_WERROR
# -------------------
# --enable-werror turns every warning into an error (CI builds use it).
AC_DEFUN([SKIFF_ENABLE_WERROR], [
  AC_ARG_ENABLE([werror],
    [AS_HELP_STRING([--enable-werror], [treat compiler warnings as errors])],
    [], [enable_werror=no])
  AS_IF([test "$enable_werror" = yes],
        [WARNING_CFLAGS="$WARNING_CFLAGS -Werror"])
])

# SKIFF_ENABLE_SANITIZERS
# -----------------------
# --enable-sanitizers builds everything with AddressSanitizer and
# UndefinedBehaviorSanitizer; any undefined behaviour aborts the program.
AC_DEFUN([SKIFF_ENABLE_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers],
                    [build with AddressSanitizer and UndefinedBehaviorSanitizer])],
    [], [enable_sanitizers=no])
  SANITIZER_CFLAGS=
  SANITIZER_LDFLAGS=
  AS_IF([test "$enable_sanitizers" = yes], [
    SANITIZER_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all"
    SANITIZER_CFLAGS="$SANITIZER_CFLAGS -fno-omit-frame-pointer -g"
    SANITIZER_LDFLAGS="-fsanitize=address,undefined"
  ])
  AC_SUBST([SANITIZER_CFLAGS])
  AC_SUBST([SANITIZER_LDFLAGS])
  AM_CONDITIONAL([SANITIZERS], [test "$enable_sanitizers" = yes])
])

# SKIFF_CHECK_FUZZ_CC
# -------------------
# "make check-fuzz" builds libFuzzer targets with clang.  FUZZ_CC names the
# compiler; it stays empty (and check-fuzz explains why) without clang.
AC_DEFUN([SKIFF_CHECK_FUZZ_CC], [
  AC_ARG_VAR([FUZZ_CC], [clang used to build the libFuzzer targets])
  AS_IF([test -z "$FUZZ_CC"], [AC_PATH_PROGS([FUZZ_CC], [clang clang-14])])
])
