import Glibc
import HTTP
import Runtime

// Wiring only: signals, config, log, service, server. The logic lives in the other files.
Signals.blockTermination()

func runAuthService() -> Never {
    let config = loadConfig(service: "auth-svc") { try AuthConfig(environment: $0) }
    let log = Log(service: "auth-svc", level: config.logLevel)
    let arguments = Array(CommandLine.arguments.dropFirst())
    if let command = arguments.first {
        exit(AdminCommands.run(command, Array(arguments.dropFirst()), config: config, log: log))
    }
    let service: AuthService
    do {
        service = try AuthService(config: config, log: log)
    } catch {
        log.error("startup failed", ["error": "\(error)"])
        exit(1)
    }
    serve(service.routes, config: service.serverConfig, log: log, onShutdown: { service.close() })
}

runAuthService()
