import HTTP
import Runtime

// Wiring only: config → relay (Redis subscriber, presence) → server. The logic lives in the other files.
Signals.blockTermination()  // before the subscriber thread exists, so only the signal thread sees SIGTERM
let config = loadConfig(service: "relay-svc") { try RelayConfig(environment: $0) }
let log = Log(service: "relay-svc", level: config.logLevel)
let relay = Relay(config: config, log: log)
relay.start()
serve(relay.routes, config: ServerConfig(listen: config.listen, unixSocket: config.listenUnix, workers: 16, maxQueued: 16_384), log: log) {
    relay.stop()
}
