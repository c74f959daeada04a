// Node v22's `blockList` on `net.createServer` (issue 21).

extension Server {
    /// Node's onconnection check: a peer whose address the server's `blockList` blocks is closed at once,
    /// before any 'connection' (or 'drop') and without counting as a connection.
    func isBlocked(_ client: StreamHandle) -> Bool {
        guard let blockList = options.blockList, let tcp = client as? TCPHandle,
              let peer = tcp.remoteAddress() else { return false }
        return blockList.check(peer.ip, type: peer.familyName == "IPv6" ? "ipv6" : "ipv4")
    }
}
