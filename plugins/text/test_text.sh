#!/bin/sh
# plugins/text/test_text.sh -- the `text` provider through the CLI.
. "$HK_SRCDIR/tests/lib.sh"

printf 'alpha\r\nbeta\n\ngamma' >"$T/a.txt"
hk run -o csv "text path=$T/a.txt"
is "$rc" 0 "lines: exit 0"
is "$out" 'line_no,text
1,alpha
2,beta
3,
4,gamma' "lines: CR dropped, empty line kept, last line without newline"

hk run -o csv "text $T/a.txt mode=whole | select line_no"
is "$out" 'line_no
1' "whole: one row"
hk run -o json "text $T/a.txt mode=whole"
is "$out" '[
{"line_no":1,"text":"alpha\r\nbeta\n\ngamma"}
]' "whole: bytes as they are"

hk run -o csv "text text='one
two' | count"
is "$out" 'count
2' "text=: two lines"

hk_in "$T/a.txt" run -o csv "text path=- | count"
is "$out" 'count
4' "standard input"

# Line cutting: 25 bytes with max_line=10 -> pieces 10, 10, 5 on line 1.
printf '0123456789abcdefghijKLMNO\nx\n' >"$T/long.txt"
hk run -o csv "text path=$T/long.txt max_line=10"
is "$rc" 0 "cut: exit 0 (partial is a warning)"
is "$out" 'line_no,text
1,0123456789
1,abcdefghij
1,KLMNO
2,x' "cut: pieces keep their line number"
like "$err" "long.txt:1: line longer than max_line (10 bytes): cut into pieces" "cut: warned with file and line"

hk run -o csv "text path=$T/long.txt mode=whole max_line=10"
is "$rc" 1 "whole over max_line: exit 1"
like "$err" "larger than max_line (10 bytes) for mode=whole; raise max_line or use mode=lines" "whole over max_line: says what to do"

hk run "text path=$T/missing.txt"
is "$rc" 1 "missing file: exit 1"
like "$err" "text: cannot open '$T/missing.txt': No such file or directory" "missing file named"

hk run "text"
is "$rc" 1 "neither path nor text: exit 1"
like "$err" "path is required" "neither path nor text: says so"

# Invalid UTF-8 is replaced, never passed on broken.
printf 'ok\377\376end\n' >"$T/bin.txt"
hk run -o csv "text path=$T/bin.txt"
is "$out" 'line_no,text
1,ok��end' "invalid UTF-8 replaced by U+FFFD"

# 20,000 lines cross several batches.
seq 1 20000 >"$T/n.txt"
hk run -o csv "text path=$T/n.txt | where text == \"12345\""
is "$out" 'line_no,text
12345,12345' "line numbers across batches"

done_testing
