import IO

/// Answers one request later, from any thread: the response is queued on the connection's own loop.
/// Call it once; an answer for a request the connection no longer waits for (it was aborted or
/// closed meanwhile) is dropped.
public struct Responder: Sendable {
    private let connection: LoopBound<HTTPConnection>
    private let generation: UInt64
    private let request: Request

    init(_ connection: HTTPConnection, request: Request) {
        self.connection = LoopBound(connection, on: connection.loop)
        generation = connection.generation
        self.request = request
    }

    public func callAsFunction(_ response: Response) {
        let expected = generation
        connection.run { $0.complete(response, generation: expected) }
    }

    /// Answers with what `body` returns, or with the error it throws, mapped as for any handler.
    public func answer(_ body: () throws -> Response) {
        self(Server.invoke(request, body))
    }
}
