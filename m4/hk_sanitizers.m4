# hk_sanitizers.m4 -- --enable-sanitizers (ASan + UBSan) and the warning set.

AC_DEFUN([HK_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers], [build with AddressSanitizer and UndefinedBehaviorSanitizer])],
    [hk_sanitizers="$enableval"], [hk_sanitizers=no])
  HK_SANITIZER_CFLAGS=""
  HK_SANITIZER_LDFLAGS=""
  AS_IF([test "x$hk_sanitizers" = xyes], [
    HK_SANITIZER_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    HK_SANITIZER_LDFLAGS="-fsanitize=address,undefined"
  ])
  AM_CONDITIONAL([HK_SANITIZERS], [test "x$hk_sanitizers" = xyes])
  AC_SUBST([HK_SANITIZER_CFLAGS])
  AC_SUBST([HK_SANITIZER_LDFLAGS])
])

AC_DEFUN([HK_WARNINGS], [
  HK_WARN_CFLAGS="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-unused-parameter"
  AC_ARG_ENABLE([werror],
    [AS_HELP_STRING([--enable-werror], [treat warnings as errors])],
    [AS_IF([test "x$enableval" = xyes], [HK_WARN_CFLAGS="$HK_WARN_CFLAGS -Werror"])])
  AC_SUBST([HK_WARN_CFLAGS])
])
