// Services that serve HTTP also use the IO pieces the server is built on (`WorkerPool` for their
// own blocking work, `Locked`, `SystemError`), so `import HTTP` brings them along.
@_exported import IO
