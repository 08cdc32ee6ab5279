#!/bin/sh
# plugins/domain/test_domain.sh -- the domain analyzer end to end through
# the CLI.  Entropy and DGA figures come from dga_reference.py (Python);
# suffix splits and IDN forms were checked by hand against the Public
# Suffix List and RFC 3492's Punycode.
. "$HK_SRCDIR/tests/lib.sh"

cat >"$T/in.csv" <<'EOF'
Id,Name
1,www.bbc.co.uk
2,bücher.example
3,xn--bcher-kva.example
4,https://user:pw@Mail.Google.com:443/x?y=1
5,a..b.com
6,www.contoso.garbage
7,www.microsoft.com
8,foo.blogspot.com
9,xjpakmdcfuqe.com
10,10.1.2.3
11,
EOF

hk run "file path=$T/in.csv | domain Name | select Id, domain_host, domain_valid, domain_ascii, domain_unicode, domain_suffix, domain_registered, domain_subdomain | csv"
is "$rc" 0 "exit status"
is "$out" 'Id,domain_host,domain_valid,domain_ascii,domain_unicode,domain_suffix,domain_registered,domain_subdomain
1,www.bbc.co.uk,true,www.bbc.co.uk,www.bbc.co.uk,co.uk,bbc.co.uk,www
2,bücher.example,false,xn--bcher-kva.example,bücher.example,,,
3,xn--bcher-kva.example,false,xn--bcher-kva.example,bücher.example,,,
4,Mail.Google.com,true,mail.google.com,mail.google.com,com,google.com,mail
5,a..b.com,false,,,,,
6,www.contoso.garbage,false,www.contoso.garbage,www.contoso.garbage,,,
7,www.microsoft.com,true,www.microsoft.com,www.microsoft.com,com,microsoft.com,www
8,foo.blogspot.com,true,foo.blogspot.com,foo.blogspot.com,blogspot.com,foo.blogspot.com,
9,xjpakmdcfuqe.com,true,xjpakmdcfuqe.com,xjpakmdcfuqe.com,com,xjpakmdcfuqe.com,
10,10.1.2.3,false,,,,,
11,,,,,,,' "validity, IDN forms and the suffix split"

hk run "file path=$T/in.csv | domain Name | select Id, domain_error | csv"
is "$out" "Id,domain_error
1,
2,\"'example' is a special-use name (RFC 6761), not a public suffix\"
3,\"'example' is a special-use name (RFC 6761), not a public suffix\"
4,
5,\"empty label (two dots in a row, or a leading dot)\"
6,'garbage' is not a public suffix (not in the Public Suffix List)
7,
8,
9,
10,\"'10.1.2.3' is an IP address, not a domain name\"
11," "errors say why"

hk run "file path=$T/in.csv | domain Name | select Id, domain_entropy, domain_dga_score | csv"
is "$out" 'Id,domain_entropy,domain_dga_score
1,0.91829583405448956,0.18173245159057255
2,,
3,,
4,1.9182958340544896,0.033401576343919895
5,,
6,,
7,2.94770277922009,0.052446914164085853
8,0.91829583405448956,0.042046955011124244
9,3.5849625007211561,0.69583333333333341
10,,
11,,' "entropy and DGA score of the registrable label (dga_reference.py, to the last digit or one ulp)"

hk run "file path=$T/in.csv | domain column=Name prefix=d_ private_suffixes=false | select Id, d_registered, d_subdomain | where Id == 8 | csv"
is "$out" 'Id,d_registered,d_subdomain
8,blogspot.com,foo' "prefix= and private_suffixes=false"

hk run "file path=$T/in.csv | domain Name | select Id, Name | head 2 | csv"
is "$out" 'Id,Name
1,www.bbc.co.uk
2,bücher.example' "input columns pass through"

# MSTICPy's ioc_df.csv: its extractor's "dns" observables are mostly file
# names and bare host names; none is a domain name.
hk run "file path=$DATA/msticpy/ioc_df.csv | where IoCType == \"dns\" | domain Observable | select SourceIndex, domain_valid, domain_error | csv"
is "$rc" 0 "ioc_df.csv"
is "$out" "SourceIndex,domain_valid,domain_error
9,false,'exe' is not a public suffix (not in the Public Suffix List)
9,false,'tmp' is not a public suffix (not in the Public Suffix List)
9,false,'exe' is not a public suffix (not in the Public Suffix List)
20,false,'exe' is not a public suffix (not in the Public Suffix List)
31,false,'server' is not a public suffix (not in the Public Suffix List)
37,false,'somedomain' is not a public suffix (not in the Public Suffix List)
46,false,'badguyserver' is not a public suffix (not in the Public Suffix List)
47,false,'badguyserver' is not a public suffix (not in the Public Suffix List)
77,false,'xxxxxxxxxx' is not a public suffix (not in the Public Suffix List)
77,false,\"label 'xxxxxxxxxx')' has ''', which a host name may not have (letters, digits and '-' only)\"" \
  "MSTICPy's dns false positives are refused, with the reason"

hk run "file path=$T/in.csv | domain Nope | csv"
is "$rc" 1 "unknown column fails"
like "$err" "domain: no column 'Nope' (columns: Id, Name)" "names the columns"
hk run "file path=$T/in.csv | domain | csv"
like "$err" "domain: no column to check" "no column"
hk run "file path=$T/in.csv | domain Name | domain Name | csv"
like "$err" "domain: the input already has a column 'domain_host'; choose another prefix" \
  "added columns never overwrite"

done_testing
