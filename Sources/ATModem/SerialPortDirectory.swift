import CSerialPort

/// One serial port the system lists, with its USB identity when it has one.
public struct SerialPortInfo: Sendable, Hashable {
    /// The device path, such as `/dev/ttyUSB2`.
    public var path: String
    /// The kernel's description, such as `HUAWEI Mobile`.
    public var description: String?
    /// Whether the port sits on USB; only USB ports carry the fields below.
    public var isUSB: Bool
    public var vendorID: Int?
    public var productID: Int?
    public var manufacturer: String?
    public var product: String?
    /// The USB serial number, which stays the same across replugs and reboots.
    public var serialNumber: String?

    public init(
        path: String,
        description: String? = nil,
        isUSB: Bool = false,
        vendorID: Int? = nil,
        productID: Int? = nil,
        manufacturer: String? = nil,
        product: String? = nil,
        serialNumber: String? = nil
    ) {
        self.path = path
        self.description = description
        self.isUSB = isUSB
        self.vendorID = vendorID
        self.productID = productID
        self.manufacturer = manufacturer
        self.product = product
        self.serialNumber = serialNumber
    }
}

/// Lists serial ports through libserialport, to find a modem again after a replug.
///
/// Pseudo terminals are not listed: libserialport looks ports up in /sys/class/tty, where
/// ptys have no entry. Byte I/O never goes through libserialport; `SerialPort` does it.
/// A USB modem usually shows several ports with the same serial number (AT, diagnostics, PPP);
/// `ports(vendorID:productID:serialNumber:)` returns all of them in path order and the caller probes each with `AT`.
public enum SerialPortDirectory {
    /// Lists every serial port libserialport finds, sorted by path.
    /// - Throws: `SerialPortDirectoryError` when libserialport cannot enumerate ports.
    public static func list() throws(SerialPortDirectoryError) -> [SerialPortInfo] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let result = sp_list_ports(&list)
        guard result == SP_OK, let list else { throw .listingFailed(code: Int(result.rawValue)) }
        defer { sp_free_port_list(list) }

        var ports: [SerialPortInfo] = []
        var index = 0
        while let port = list[index] {
            ports.append(info(port))
            index += 1
        }
        return ports.sorted { $0.path < $1.path }
    }

    /// Lists the USB ports with the given identity, sorted by path. A `nil` criterion matches anything.
    public static func ports(
        vendorID: Int? = nil,
        productID: Int? = nil,
        serialNumber: String? = nil
    ) throws(SerialPortDirectoryError) -> [SerialPortInfo] {
        try list().filter { port in
            port.isUSB
                && (vendorID == nil || port.vendorID == vendorID)
                && (productID == nil || port.productID == productID)
                && (serialNumber == nil || port.serialNumber == serialNumber)
        }
    }

    private static func info(_ port: OpaquePointer) -> SerialPortInfo {
        var info = SerialPortInfo(path: string(sp_get_port_name(port)) ?? "")
        info.description = string(sp_get_port_description(port))
        info.isUSB = sp_get_port_transport(port) == SP_TRANSPORT_USB
        guard info.isUSB else { return info }
        var vendor: Int32 = 0
        var product: Int32 = 0
        if sp_get_port_usb_vid_pid(port, &vendor, &product) == SP_OK {
            info.vendorID = Int(vendor)
            info.productID = Int(product)
        }
        info.manufacturer = string(sp_get_port_usb_manufacturer(port))
        info.product = string(sp_get_port_usb_product(port))
        info.serialNumber = string(sp_get_port_usb_serial(port))
        return info
    }

    /// libserialport keeps ownership of the strings it returns; this copies one.
    private static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

/// A failure to read the port list.
public enum SerialPortDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `sp_list_ports` failed with this `sp_return` code.
    case listingFailed(code: Int)

    public var description: String {
        switch self {
        case .listingFailed(let code):
            "cannot list serial ports (libserialport code \(code)); is /sys mounted?"
        }
    }
}
