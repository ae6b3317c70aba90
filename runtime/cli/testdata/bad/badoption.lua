listen{ { proto = "tcp", host = "127.0.0.1", port = 1 }, fork_delay = -1, connect = function() end }
