/*
 * host/cli/cmd_views.c -- `proctree` and `timeline`.
 * Placeholder until the verbs land: they say so, they never pretend.
 */
#include "config.h"

#include "cli.h"

const hk_cli_verb hk_cli_verbs_views[] = {{NULL, NULL, NULL}};

int
hk_cmd_proctree(hk_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  (void)argv;
  return hk_cli_error(HK_EXIT_USAGE,
                      "'proctree' is not available in this build yet");
}

int
hk_cmd_timeline(hk_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  (void)argv;
  return hk_cli_error(HK_EXIT_USAGE,
                      "'timeline' is not available in this build yet");
}
