extension SMSSubmit {
    /// Settings for building SMS-SUBMIT PDUs from text.
    public struct Options: Sendable, Hashable {
        /// TP-MR of the first PDU. Each further segment takes the next value, wrapping after 255.
        public var messageReference: UInt8
        /// TP-SRR: ask for a status report.
        public var statusReportRequest: Bool
        /// TP-VP in relative format, or nil to leave it out (the SMSC's default applies).
        public var validityPeriod: RelativeValidityPeriod?
        /// TP-PID.
        public var protocolIdentifier: UInt8
        /// A TP-DCS to send instead of 0x00 or 0x08, for example with a message class. Its alphabet
        /// must match the one the text is encoded in.
        public var dataCodingScheme: DataCodingScheme?
        /// TP-RD.
        public var rejectDuplicates: Bool
        /// The SMSC part before each TPDU. By default the octet 00, so the modem uses AT+CSCA.
        public var smsc: SMSCField

        /// Creates options. The defaults give TP-MR 0, no report, no TP-VP, PID 0 and SMSC octet 00.
        public init(
            messageReference: UInt8 = 0,
            statusReportRequest: Bool = false,
            validityPeriod: RelativeValidityPeriod? = nil,
            protocolIdentifier: UInt8 = 0,
            dataCodingScheme: DataCodingScheme? = nil,
            rejectDuplicates: Bool = false,
            smsc: SMSCField = .useStored
        ) {
            self.messageReference = messageReference
            self.statusReportRequest = statusReportRequest
            self.validityPeriod = validityPeriod
            self.protocolIdentifier = protocolIdentifier
            self.dataCodingScheme = dataCodingScheme
            self.rejectDuplicates = rejectDuplicates
            self.smsc = smsc
        }
    }

    /// Builds one SMS-SUBMIT carrying a planned segment.
    /// - Throws: `TPDUEncodingError.dataCodingMismatch` when the DCS override selects another alphabet.
    public init(segment: PlannedSegment, to destination: TPAddress, options: Options) throws(TPDUEncodingError) {
        let userData = TPUserData(segment: segment)
        let dataCodingScheme = options.dataCodingScheme ?? DataCodingScheme(rawValue: segment.encoding.dataCoding)
        guard dataCodingScheme.alphabet == userData.alphabet, !dataCodingScheme.isCompressed else {
            throw .dataCodingMismatch(dataCodingScheme: dataCodingScheme.rawValue, alphabet: userData.alphabet)
        }
        self.init(
            rejectDuplicates: options.rejectDuplicates,
            statusReportRequest: options.statusReportRequest,
            messageReference: options.messageReference,
            destination: destination,
            protocolIdentifier: options.protocolIdentifier,
            dataCodingScheme: dataCodingScheme,
            validityPeriod: options.validityPeriod.map { .relative($0) },
            userData: userData
        )
    }

    /// Builds every SMS-SUBMIT PDU of `text`, one per segment, in sending order.
    ///
    /// A text that fits one SMS gives one PDU with no header. TP-MR counts up from
    /// `options.messageReference` across the segments.
    /// - Throws: `TPDUEncodingError.segmentation` when the text needs more segments than
    ///   `planning.maximumSegments`, and other `TPDUEncodingError` cases for bad addresses or options.
    public static func pdus(
        for text: String,
        to destination: TPAddress,
        options: Options = Options(),
        planning: SegmentPlanner.Options = SegmentPlanner.Options()
    ) throws(TPDUEncodingError) -> [EncodedPDU] {
        let plan: SegmentPlan
        do {
            plan = try SegmentPlanner.plan(text, options: planning)
        } catch {
            switch error {
            case .segmentation(let cause): throw .segmentation(cause)
            case .text(let cause): throw .text(cause)
            }
        }
        var pdus: [EncodedPDU] = []
        var segmentOptions = options
        for segment in plan.segments {
            let submit = try SMSSubmit(segment: segment, to: destination, options: segmentOptions)
            pdus.append(try submit.encode(smsc: options.smsc))
            segmentOptions.messageReference &+= 1
        }
        return pdus
    }
}
