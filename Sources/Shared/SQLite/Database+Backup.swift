import Glibc
import Runtime

extension Database {
    /// Writes a consistent copy of the database to `target` while readers and writers go on, and
    /// returns its size in bytes. The copy is one snapshot (`VACUUM INTO` inside a read), compacted,
    /// and complete or absent: it is written beside `target`, fsynced, then renamed into place.
    /// Refuses a `target` that exists, so a backup never overwrites anything. The copy is mode 0600.
    public func backup(to target: String) throws -> Int {
        guard access(target, F_OK) != 0 else { throw SQLiteError.misuse("\(target) already exists") }
        let partial = target + ".partial"
        unlink(partial)  // left by a backup that was interrupted
        Database.makePrivate(partial)  // created empty and 0600: VACUUM INTO fills an empty file and keeps its mode
        do {
            let reader = try takeReader()
            defer { returnReader(reader) }
            try reader.execute("VACUUM INTO ?", partial)
            let fd = open(partial, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SQLiteError.misuse("cannot open \(partial): errno \(errno)") }
            defer { Glibc.close(fd) }
            var info = stat()
            guard fsync(fd) == 0, fstat(fd, &info) == 0 else { throw SQLiteError.misuse("cannot sync \(partial): errno \(errno)") }
            guard rename(partial, target) == 0 else { throw SQLiteError.misuse("cannot rename \(partial): errno \(errno)") }
            FileIO.syncDirectory(of: target)
            return Int(info.st_size)
        } catch {
            unlink(partial)
            throw error
        }
    }
}
