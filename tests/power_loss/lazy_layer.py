"""A FUSE layer that forgets unsynced writes: file data written through the mount stays
in this process's memory until the file is fsynced (or fdatasynced), and only
then reaches the backing directory. Killing this process (SIGKILL) therefore
loses exactly the writes that were never synced, as a power cut would lose
what sat in the page cache. Metadata operations (create, rename, unlink,
mkdir) go straight to the backing directory, which is kinder than a real
power cut; truncation is deferred like data.
Usage: lazy_layer.py BACKING MOUNTPOINT
"""
import errno
import os
import sys

from fusepy import FUSE, FuseOSError, Operations


class Lazy(Operations):
    def __init__(self, root):
        self.root = root
        # path -> {"ops": [("w", offset, bytes) | ("t", length)], "size": logical size}
        self.pending = {}
        self.stats = {"writes": 0, "syncs": 0}

    def _p(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def _size(self, path):
        entry = self.pending.get(path)
        if entry is not None:
            return entry["size"]
        return os.lstat(self._p(path)).st_size

    # Metadata.
    def getattr(self, path, fh=None):
        try:
            st = os.lstat(self._p(path))
        except OSError as error:
            raise FuseOSError(error.errno)
        attrs = {k: getattr(st, k) for k in ("st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime", "st_nlink", "st_size", "st_uid")}
        if path in self.pending:
            attrs["st_size"] = self.pending[path]["size"]
        return attrs

    def access(self, path, mode):
        if not os.access(self._p(path), mode):
            raise FuseOSError(errno.EACCES)

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self._p(path))

    def mkdir(self, path, mode):
        os.mkdir(self._p(path), mode)

    def rmdir(self, path):
        os.rmdir(self._p(path))

    def chmod(self, path, mode):
        os.chmod(self._p(path), mode)

    def chown(self, path, uid, gid):
        os.chown(self._p(path), uid, gid)

    def utimens(self, path, times=None):
        os.utime(self._p(path), times)

    def statfs(self, path):
        st = os.statvfs(self._p(path))
        return {k: getattr(st, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

    def unlink(self, path):
        os.unlink(self._p(path))
        self.pending.pop(path, None)

    def rename(self, old, new):
        os.rename(self._p(old), self._p(new))
        self.pending.pop(new, None)
        if old in self.pending:
            self.pending[new] = self.pending.pop(old)

    # Files.
    def create(self, path, mode, fi=None):
        fd = os.open(self._p(path), os.O_RDWR | os.O_CREAT, mode)
        os.close(fd)
        return 0

    def open(self, path, flags):
        if flags & os.O_TRUNC:
            self.truncate(path, 0)
        return 0

    PAGE = 4096

    def _entry(self, path):
        entry = self.pending.get(path)
        if entry is None:
            size = os.lstat(self._p(path)).st_size
            # pages: page number -> bytearray(PAGE) as the file should read;
            # valid: how much of the backing file is still valid (a truncate
            # not yet synced lowers it).
            entry = {"pages": {}, "size": size, "valid": size}
            self.pending[path] = entry
        return entry

    def _backing_page(self, path, number, valid):
        page = bytearray(self.PAGE)
        start = number * self.PAGE
        if start < valid:
            with open(self._p(path), "rb") as backing:
                backing.seek(start)
                chunk = backing.read(min(self.PAGE, valid - start))
            page[:len(chunk)] = chunk
        return page

    def read(self, path, size, offset, fh):
        entry = self.pending.get(path)
        if entry is None:
            with open(self._p(path), "rb") as backing:
                backing.seek(offset)
                return backing.read(size)
        if offset >= entry["size"]:
            return b""
        size = min(size, entry["size"] - offset)
        out = bytearray()
        position = offset
        while position < offset + size:
            number = position // self.PAGE
            page = entry["pages"].get(number)
            if page is None:
                page = self._backing_page(path, number, entry["valid"])
            within = position - number * self.PAGE
            take = min(self.PAGE - within, offset + size - position)
            out += page[within:within + take]
            position += take
        return bytes(out)

    def write(self, path, data, offset, fh):
        entry = self._entry(path)
        position = offset
        end = offset + len(data)
        while position < end:
            number = position // self.PAGE
            page = entry["pages"].get(number)
            if page is None:
                page = self._backing_page(path, number, entry["valid"])
                entry["pages"][number] = page
            within = position - number * self.PAGE
            take = min(self.PAGE - within, end - position)
            page[within:within + take] = data[position - offset:position - offset + take]
            position += take
        entry["size"] = max(entry["size"], end)
        self.stats["writes"] += 1
        return len(data)

    def truncate(self, path, length, fh=None):
        entry = self._entry(path)
        entry["size"] = length
        entry["valid"] = min(entry["valid"], length)
        last = (length + self.PAGE - 1) // self.PAGE
        for number in [n for n in entry["pages"] if n >= last]:
            del entry["pages"][number]
        if length % self.PAGE and (length // self.PAGE) in entry["pages"]:
            page = entry["pages"][length // self.PAGE]
            page[length % self.PAGE:] = bytes(self.PAGE - length % self.PAGE)

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        return 0

    def fsync(self, path, datasync, fh):
        entry = self.pending.pop(path, None)
        if entry is None:
            return 0
        fd = os.open(self._p(path), os.O_WRONLY)
        try:
            os.ftruncate(fd, entry["valid"])
            for number, page in sorted(entry["pages"].items()):
                start = number * self.PAGE
                if start < entry["size"]:
                    os.pwrite(fd, bytes(page[:entry["size"] - start]), start)
            os.ftruncate(fd, entry["size"])
            os.fsync(fd)
        finally:
            os.close(fd)
        self.stats["syncs"] += 1
        return 0

    def fsyncdir(self, path, datasync, fh):
        return 0


if __name__ == "__main__":
    FUSE(Lazy(sys.argv[1]), sys.argv[2], foreground=True, nothreads=True)
