/*
 * host/cli/cmd_ioc.c -- `ioc extract`, `unpack` and `mask`.
 * Placeholder until the verbs land: they say so, they never pretend.
 */
#include "config.h"

#include "cli.h"

const hk_cli_verb hk_cli_verbs_ioc[] = {{NULL, NULL, NULL}};

int
hk_cmd_ioc(hk_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  (void)argv;
  return hk_cli_error(HK_EXIT_USAGE,
                      "'ioc' is not available in this build yet");
}

int
hk_cmd_unpack(hk_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  (void)argv;
  return hk_cli_error(HK_EXIT_USAGE,
                      "'unpack' is not available in this build yet");
}

int
hk_cmd_mask(hk_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  (void)argv;
  return hk_cli_error(HK_EXIT_USAGE,
                      "'mask' is not available in this build yet");
}
