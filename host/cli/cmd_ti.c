/*
 * host/cli/cmd_ti.c -- `ti lookup` and `geoip`.
 * Placeholder until the verbs land: they say so, they never pretend.
 */
#include "config.h"

#include "cli.h"

const hk_cli_verb hk_cli_verbs_ti[] = {{NULL, NULL, NULL}};

int
hk_cmd_ti(hk_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  (void)argv;
  return hk_cli_error(HK_EXIT_USAGE, "'ti' is not available in this build yet");
}

int
hk_cmd_geoip(hk_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  (void)argv;
  return hk_cli_error(HK_EXIT_USAGE,
                      "'geoip' is not available in this build yet");
}
