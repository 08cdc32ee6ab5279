#!/bin/sh
# tests/cli/test_cli_basic.sh -- version, help, exit codes, option errors.
. "$HK_SRCDIR/tests/lib.sh"

version=$(sed -n 's/^AC_INIT(\[huntkit\], \[\([^]]*\)\].*/\1/p' "$HK_SRCDIR/configure.ac")

hk --version
is "$rc" 0 "--version exits 0"
is "$out" "huntkit $version (plugin ABI 1.1)" "--version output"
is "$err" "" "--version is quiet on stderr"

# --version loads nothing: a broken config and plugin path do not matter.
HUNTKIT_CONFIG=/nonexistent HUNTKIT_PLUGIN_PATH=/nonexistent hk --version
is "$rc" 0 "--version needs no config and no plugins"
hk version
is "$out" "huntkit $version (plugin ABI 1.1)" "'version' verb"

hk
is "$rc" 2 "no command: usage error"
like "$err" "Usage: huntkit [OPTIONS] COMMAND" "no command prints usage"

hk --help
is "$rc" 0 "--help exits 0"
like "$out" "Usage: huntkit [OPTIONS] COMMAND" "--help prints usage"
like "$out" "Example:" "--help has an example"

for verb in run plugins "plugins list" "plugins inspect" "plugins check" demo help; do
  # shellcheck disable=SC2086
  hk help $verb
  is "$rc" 0 "help $verb exits 0"
  like "$out" "Example" "help $verb has an example"
  like "$out" "Usage: huntkit $verb" "help $verb shows its usage"
done
hk run --help
like "$out" "Usage: huntkit run" "run --help"
hk plugins inspect --help
like "$out" "Usage: huntkit plugins inspect" "plugins inspect --help"
hk plugins --help
like "$out" "Usage: huntkit plugins list" "plugins --help"
hk --help demo
like "$out" "Usage: huntkit demo" "--help before the verb"
hk demo -h
like "$out" "Usage: huntkit demo" "demo -h"

hk frobnicate
is "$rc" 2 "unknown verb: exit 2"
is "$err" "huntkit: unknown command 'frobnicate' (see \`huntkit help\`)
Try 'huntkit help'." "unknown verb message"
hk help frobnicate
is "$rc" 2 "help for an unknown verb: exit 2"

for verb in analyze pivot; do
  hk "$verb" x
  is "$rc" 2 "$verb: exit 2"
  is "$err" "huntkit: '$verb' is not available in this build yet" "$verb is named, not faked"
done

hk --bogus
is "$rc" 2 "unknown global option: exit 2"
is "$err" "huntkit: unknown option '--bogus'
Try 'huntkit help'." "unknown global option message"
hk run --bogus 'file path=x.csv'
is "$rc" 2 "unknown run option: exit 2"
is "$err" "huntkit run: unknown option '--bogus'
Try 'huntkit help run'." "unknown run option message"
hk run 'file path=x.csv' --from
is "$rc" 2 "option without value: exit 2"
is "$err" "huntkit run: option --from needs a value
Try 'huntkit help run'." "option without value message"
hk plugins list --from -1d
is "$rc" 2 "--from on plugins list: exit 2"
is "$err" "huntkit plugins: option --from does not apply here
Try 'huntkit help plugins'." "--from does not apply"
hk run
is "$rc" 2 "run without a pipeline: exit 2"
like "$err" "huntkit run: give a pipeline" "run without a pipeline message"
hk plugins
is "$rc" 2 "plugins without subcommand: exit 2"
hk plugins frob
is "$rc" 2 "plugins frob: exit 2"
is "$err" "huntkit plugins: unknown subcommand 'frob' (list, inspect, check)
Try 'huntkit help plugins'." "unknown subcommand message"
hk plugins inspect
is "$rc" 2 "inspect without a name: exit 2"
hk plugins check
is "$rc" 2 "check without a path: exit 2"
hk demo extra
is "$rc" 2 "demo takes no arguments"
hk demo -o json
is "$rc" 2 "demo refuses -o"

# Time ranges are checked before anything runs.
hk run --from yesterday "file path=$DATA/msticpy/host_logons.csv"
is "$rc" 2 "bad --from: exit 2"
is "$err" "huntkit run: --from: cannot read 'yesterday' as a time: expected ISO-8601 (2024-03-04 or 2024-03-04T05:06:07Z), epoch seconds (1709528767), now, or a relative time (-7d, -3h, -30m@m, now@d)
Try 'huntkit help run'." "bad --from message"
hk run --from 2024-03-05 --to 2024-03-04 "file path=$DATA/msticpy/host_logons.csv"
is "$rc" 2 "--from after --to: exit 2"
is "$err" "huntkit run: --from 2024-03-05 (2024-03-05T00:00:00Z) is not before --to 2024-03-04 (2024-03-04T00:00:00Z)
Try 'huntkit help run'." "--from after --to message"

# Configuration: a missing --config is a failure; the shipped example loads.
hk --config "$T/nope" plugins list
is "$rc" 1 "missing --config: exit 1"
like "$err" "$T/nope" "missing --config names the path"
hk --config "$HK_SRCDIR/conf" plugins list -o csv
is "$rc" 0 "conf/ as shipped loads"
like "$out" "name,kind,version,abi,status,reason,path" "and plugins list works with it"

done_testing
