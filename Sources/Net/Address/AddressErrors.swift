extension NetError {
    /// `ERR_INVALID_ARG_VALUE` (TypeError) from `BlockList.addRange` when `start` is after `end`:
    /// `"The argument 'start' must come before end. Received SocketAddress { address: '1.1.1.2', port: 0,
    /// family: 'ipv4', flowlabel: 0 }"`.
    static func rangeStartAfterEnd(_ start: SocketAddress) -> NetError {
        NetError(
            "The argument 'start' must come before end. Received \(start.description)",
            code: "ERR_INVALID_ARG_VALUE", name: "TypeError")
    }
}
