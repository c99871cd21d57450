import HTTP
import Runtime

// Wiring only: config → Redis → worker → /healthz. The logic lives in the other files.
Signals.blockTermination()  // before the worker thread exists, so only the signal thread sees SIGTERM
let config = loadConfig(service: "mail-svc") { try MailConfig(environment: $0) }
let log = Log(service: "mail-svc", level: config.logLevel)
let service = MailService(config: config, log: log)
service.start()
serve(service.routes, config: ServerConfig(listen: config.listen, unixSocket: config.listenUnix, loops: 1, workers: 2), log: log) {
    service.stop()
}
