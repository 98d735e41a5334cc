public import ZMFaceCore

/// zmface's part of a ZoneMinder event's `Notes`: `[zmface: Alice, Bob, 1 unknown]`. ZoneMinder's
/// event list shows Notes and its filters match them (`Notes LIKE %Alice%`), so a name written here
/// is a name users can search by. The brackets delimit zmface's part, so a re-run replaces exactly
/// it and leaves whatever ZoneMinder (`Motion: All`), zmaudit (`Recovered.`) or other tools
/// (zmeventnotification's `detected:`) wrote around it.
public struct ZoneMinderNote: Sendable, Equatable {
    /// The people the event's decision says were seen, most confident first.
    public var names: [String]
    /// Unknown people (one per unknown cluster of the event).
    public var unknownPeople: Int

    public init(names: [String], unknownPeople: Int) {
        self.names = names
        self.unknownPeople = unknownPeople
    }

    /// What the event showed: the named people its decision says were seen and its unknown people.
    /// A named person the decision does not confirm (one weak frame) is left out: Notes is where
    /// users search, so it carries only what zmface would act on.
    public init(_ results: EventResults) {
        let seen = results.summaries.compactMap { summary -> (String, Double)? in
            guard let name = summary.name, let decision = summary.decision, decision.seen else { return nil }
            return (name, decision.confidence)
        }
        self.names = seen.sorted { $0.1 > $1.1 }.map(\.0)
        self.unknownPeople = results.summaries.filter { $0.name == nil }.count
    }

    static let opening = "[zmface: "

    /// The bracketed text, or nil when the event showed nobody (then an earlier part is removed and
    /// nothing is added: most events have no face, and Notes should not fill with noise).
    public var text: String? {
        var parts = names.map(Self.sanitized)
        if unknownPeople > 0 { parts.append("\(unknownPeople) unknown") }
        guard !parts.isEmpty else { return nil }
        return Self.opening + parts.joined(separator: ", ") + "]"
    }

    /// Class names come from dataset folder names and may hold anything; brackets would end
    /// zmface's part early and newlines would split it, so they become look-alikes.
    static func sanitized(_ name: String) -> String {
        String(
            name.map { character -> Character in
                switch character {
                case "[": "("
                case "]": ")"
                case "\n", "\r", "\t": " "
                default: character
                }
            })
    }

    /// The statement that replaces zmface's part of event `eventID`'s Notes in one step on the
    /// server (no read-modify-write race with ZoneMinder or zmaudit updating the same row).
    /// `quote` makes a string literal for the connection's character set.
    public func updateStatement(eventID: Int64, quote: (String) -> String) -> String {
        // A previous zmface part and the spaces before it. Bracket expressions instead of
        // backslash escapes, so the pattern means the same under NO_BACKSLASH_ESCAPES.
        let stripped = "TRIM(REGEXP_REPLACE(COALESCE(Notes, ''), '[[:space:]]*[[]zmface: [^]]*[]]', ''))"
        guard let text else {
            // Nobody to add: only a Notes holding an earlier zmface part is touched.
            return "UPDATE Events SET Notes = \(stripped) WHERE Id = \(eventID) AND Notes LIKE '%[zmface: %'"
        }
        return "UPDATE Events SET Notes = CONCAT_WS(' ', NULLIF(\(stripped), ''), \(quote(text))) WHERE Id = \(eventID)"
    }
}
