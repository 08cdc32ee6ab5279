#!/usr/bin/env python3
"""plugins/file/make_archives.py DIR -- archives for test_file.sh, made with
Python's zipfile and tarfile so their contents are known exactly:

  multi.zip     logs/a.ndjson (2 objects), logs/b.json (array of 3, key
                'late' only in the first), notes.txt, a macOS resource fork
  multi.tar.gz  x/one.csv (2 rows), x/two.csv (1 row)
  bomb.zip      bomb.ndjson: one object, then 64 MiB of line feeds
                (deflate shrinks it about 1000 times)
  stream.zip    big.ndjson, 40000 objects, written as to a pipe: the sizes
                are in the data descriptor after the data (and at the end)
  nocd.zip      stream.zip without its central directory
  encrypted.zip secret.json, flagged as encrypted
"""
import io
import sys
import tarfile
import zipfile


class NoSeek(io.RawIOBase):
    def __init__(self, f):
        self.f = f

    def writable(self):
        return True

    def write(self, b):
        return self.f.write(b)


def main(d):
    with zipfile.ZipFile(d + "/multi.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("logs/a.ndjson", '{"n":1,"k":"a"}\n{"n":2,"k":"a"}\n')
        z.writestr("notes.txt", "not a table\n")
        z.writestr("__MACOSX/logs/._a.ndjson", "\x00\x05\x16\x07 binary")
        z.writestr(
            "logs/b.json",
            '[{"n":3,"k":"b","late":true},{"n":4,"k":"b"},{"n":5,"k":"b"}]',
        )
    with tarfile.open(d + "/multi.tar.gz", "w:gz") as tf:
        for name, text in (("x/one.csv", "id,v\n1,a\n2,b\n"), ("x/two.csv", "id,v\n3,c\n")):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(d + "/bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.ndjson", b'{"a":1}\n' + b"\n" * (64 << 20))
    with open(d + "/stream.zip", "wb") as f:
        with zipfile.ZipFile(NoSeek(f), "w", zipfile.ZIP_DEFLATED) as z:
            with z.open("big.ndjson", "w") as m:
                for i in range(40000):
                    m.write(b'{"i":%d,"pad":"%s"}\n' % (i, b"x" * 40))
    # a member marked encrypted (general purpose flag bit 0, in the local
    # and the central header), as `zip -e` marks them
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("secret.json", '{"a":1}\n')
    data = bytearray(buf.getvalue())
    data[6] |= 1
    data[data.index(b"PK\x01\x02") + 8] |= 1
    with open(d + "/encrypted.zip", "wb") as f:
        f.write(data)
    # without its central directory only the streaming reader can read it,
    # and nothing before the data says how big the member is
    with open(d + "/stream.zip", "rb") as f:
        data = f.read()
    with open(d + "/nocd.zip", "wb") as f:
        f.write(data[: data.index(b"PK\x01\x02")])


if __name__ == "__main__":
    main(sys.argv[1])
