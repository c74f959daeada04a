import Net
print(NetError.serverNotRunning)
