/// The close codes this server sends (RFC 6455 §7.4.1). Codes received from a peer may be any
/// valid code and are kept as a plain `UInt16` (`Frame.closeCode`).
public enum CloseCode: UInt16, Sendable {
    /// The purpose of the connection was fulfilled.
    case normal = 1000
    /// The server is shutting down, or the peer went silent.
    case goingAway = 1001
    /// A frame broke the protocol (unmasked, reserved bits, bad opcode, bad fragmentation).
    case protocolError = 1002
    /// A message type the endpoint does not accept (e.g. binary where only text is expected).
    case unsupportedData = 1003
    /// A text message or close reason that is not valid UTF-8.
    case invalidPayload = 1007
    /// Generic policy violation, e.g. a peer that does not read what it is sent.
    case policyViolation = 1008
    /// A message over the configured limit.
    case tooBig = 1009
    /// The server hit an unexpected condition.
    case internalError = 1011

    /// Whether a peer may send `code` in a close frame (RFC 6455 §7.4.1–7.4.2): 1004, 1005, 1006
    /// and 1015 are reserved for local use, and 1016–2999 are unassigned.
    public static func isValidOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }
}
