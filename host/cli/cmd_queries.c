/*
 * host/cli/cmd_queries.c -- `queries` and `query`.
 * Placeholder until the verbs land: they say so, they never pretend.
 */
#include "config.h"

#include "cli.h"

const hk_cli_verb hk_cli_verbs_queries[] = {{NULL, NULL, NULL}};

int
hk_cmd_queries(hk_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  (void)argv;
  return hk_cli_error(HK_EXIT_USAGE,
                      "'queries' is not available in this build yet");
}

int
hk_cmd_query(hk_cli *cli, int argc, char **argv)
{
  (void)cli;
  (void)argc;
  (void)argv;
  return hk_cli_error(HK_EXIT_USAGE,
                      "'query' is not available in this build yet");
}
