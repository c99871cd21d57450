import HTTP
import TestSupport
@testable import WebSocket

extension RecordingContext {
    /// The frames the server wrote, parsed as a client would.
    func frames() -> [Frame] {
        (try? parse(written, maxMessage: 1 << 20, requireMask: false).get()) ?? []
    }
}

/// A started connection with counters of what its callbacks saw.
final class Harness {
    let context = RecordingContext()
    let socket: WebSocketConnection
    var texts: [String] = []
    var closeCodes: [UInt16?] = []
    var opened = 0

    init(_ configuration: WebSocketConfiguration = WebSocketConfiguration(), leftover: [UInt8] = [], echo: Bool = true) {
        socket = WebSocketConnection(configuration: configuration, log: .init(service: "test", level: .error))
        context.handler = socket
        socket.onOpen = { [unowned self] _ in self.opened += 1 }
        socket.onText = { [unowned self] ws, text in
            self.texts.append(text)
            if echo { ws.send(text: text) }
        }
        socket.onClose = { [unowned self] _, code in self.closeCodes.append(code) }
        socket.start(context: context, leftover: leftover)
    }
}
