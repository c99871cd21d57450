import HTTP

/// The errors room-svc answers with, in the contract's shape.
enum RoomErrors {
    /// Rooms the caller is not in get the same answer as rooms that do not exist.
    static let noSuchRoom = HTTPError(.notFound, "not_found", "No such room.")
    static let noSuchUser = HTTPError(.notFound, "user_not_found", "No such user.")
    /// Renaming, a picture, adding members and leaving are for group rooms. A private room exists for
    /// its pair of users and cannot change: the request is understood but not allowed, so 403.
    static let privateRoom = HTTPError(.forbidden, "private_room", "This can only be done in a group room.")
    static let unsupportedImage = HTTPError(.unsupportedMediaType, "unsupported_media_type",
                                            "Send a PNG, JPEG, GIF or WebP image.")
    static func imageTooLarge(limit: Int) -> HTTPError {
        HTTPError(.contentTooLarge, "too_large", "The image is larger than \(limit / (1024 * 1024)) MiB.")
    }
    static let clientIDReused = HTTPError(.conflict, "client_id_reused", "This client_id was already used for another room.")
    static let busy = HTTPError(.serviceUnavailable, "unavailable", "The service is busy. Try again shortly.")
}
