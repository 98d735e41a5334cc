public import ZMFaceCore

/// Told about an event's results once PostgreSQL has them: the PUB socket, MQTT, the ZoneMinder
/// write-back. The sink calls each announcer in turn after the commit, so nothing announces a
/// result the database does not hold. Announcing does not throw: an announcer that cannot deliver
/// counts the loss (its own metric) and returns, because the results are safe and the pipeline
/// must go on.
public protocol ResultAnnouncer: Sendable {
    func announce(_ results: EventResults) async
}
