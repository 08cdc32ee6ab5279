# hk_plugin.m4 -- per-plugin --enable-NAME switches, collectd's AC_PLUGIN idea.
#
# HK_PLUGIN_ALL: --enable-all-plugins=auto|yes|no sets the default of every
# HK_PLUGIN that follows.
# HK_PLUGIN(NAME, DEPENDENCY-STATUS, DESCRIPTION): DEPENDENCY-STATUS is "yes"
# or "no (reason)".  --enable-NAME=yes with a missing dependency is a fatal
# error naming the package; "auto" quietly skips; "force" builds anyway.
# Defines AM_CONDITIONAL BUILD_PLUGIN_<NAME> and appends to the summary.

AC_DEFUN([HK_PLUGIN_ALL], [
  AC_ARG_ENABLE([all-plugins],
    [AS_HELP_STRING([--enable-all-plugins=auto|yes|no],
      [default for every plugin switch @<:@auto@:>@])],
    [hk_all_plugins="$enableval"], [hk_all_plugins=auto])
  hk_plugin_summary=""
  hk_plugin_errors=""
])

AC_DEFUN([HK_PLUGIN], [
  m4_pushdef([hk_up], m4_translit([$1], [a-z-], [A-Z_]))
  AC_ARG_ENABLE([$1],
    [AS_HELP_STRING([--enable-$1], [$3])],
    [hk_enable_$1="$enableval"], [hk_enable_$1="$hk_all_plugins"])
  hk_dep_$1="$2"
  hk_build_$1=no
  AS_CASE(["$hk_enable_$1"],
    [force], [hk_build_$1=yes],
    [yes], [AS_IF([test "x$hk_dep_$1" = xyes], [hk_build_$1=yes],
                  [hk_plugin_errors="$hk_plugin_errors
  $1: $hk_dep_$1"])],
    [auto], [AS_IF([test "x$hk_dep_$1" = xyes], [hk_build_$1=yes])],
    [no], [hk_build_$1=no],
    [AC_MSG_ERROR([--enable-$1 takes yes, no, auto or force, not '$hk_enable_$1'])])
  AM_CONDITIONAL([BUILD_PLUGIN_]hk_up, [test "x$hk_build_$1" = xyes])
  AS_IF([test "x$hk_build_$1" = xyes],
    [AC_DEFINE([HAVE_PLUGIN_]hk_up, [1], [Define if the $1 plugin is built.])
     hk_plugin_summary="$hk_plugin_summary
    $1: yes"],
    [hk_plugin_summary="$hk_plugin_summary
    $1: no ($hk_dep_$1)"])
  m4_popdef([hk_up])
])

AC_DEFUN([HK_PLUGIN_SUMMARY], [
  AC_MSG_NOTICE([huntkit plugins:$hk_plugin_summary])
  AS_IF([test -n "$hk_plugin_errors"],
    [AC_MSG_ERROR([plugins were asked for but their libraries are missing:$hk_plugin_errors])])
])
