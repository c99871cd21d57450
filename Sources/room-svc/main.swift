import Glibc
import HTTP
import Runtime

Signals.blockTermination()  // before the message writer thread starts
let config = loadConfig(service: "room-svc") { try RoomConfig(environment: $0) }
let log = Log(service: "room-svc", level: config.logLevel)
let service: RoomService
do {
    service = try RoomService(config: config, log: log)
} catch {
    log.error("startup failed", ["error": "\(error)"])
    exit(1)
}
serve(service.routes, config: ServerConfig(listen: config.listen, unixSocket: config.listenUnix, workers: config.workers), log: log) {
    service.shutdown()
}
