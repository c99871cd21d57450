import HTTP
import Runtime
import Synchronization
@testable import WebSocket

/// The echo server the interop client talks to: greets with "hello", echoes text, and on
/// "broadcast:<text>" sends one encoded frame of <text> to every open socket, and on "flood"
/// sends 64 KiB messages until the socket refuses them.
final class EchoService: Sendable {
    let sockets = Mutex<[ObjectIdentifier: WebSocketConnection]>([:])
    let closeCodes = Mutex<[UInt16?]>([])
    let configuration = WebSocketConfiguration(maxMessage: 4096, pingInterval: 0.3, idleTimeout: 1)

    var router: Router {
        var router = Router()
        router.get("/ws", execution: .inline) { [self] request in
            try Handshake.accept(request) { [self] in self.makeSocket() }
        }
        return router
    }

    func makeSocket() -> WebSocketConnection {
        let socket = WebSocketConnection(configuration: configuration, log: Log(service: "test", level: .error))
        socket.onOpen = { [self] ws in
            sockets.withLock { $0[ObjectIdentifier(ws)] = ws }
            ws.send(text: "hello")
        }
        socket.onText = { [self] ws, text in
            if text == "flood" {
                let frame = SharedBytes(FrameEncoder.text(String(repeating: "f", count: 64 * 1024)))
                for _ in 0..<2000 where ws.send(shared: frame) {}
            } else if text.hasPrefix("broadcast:") {
                let frame = SharedBytes(FrameEncoder.text(String(text.dropFirst("broadcast:".count))))
                for other in sockets.withLock({ Array($0.values) }) { other.sendFromAnyThread(frame) }
            } else {
                ws.send(text: text)
            }
        }
        socket.onClose = { [self] ws, code in
            _ = sockets.withLock { $0.removeValue(forKey: ObjectIdentifier(ws)) }
            closeCodes.withLock { $0.append(code) }
        }
        return socket
    }
}
