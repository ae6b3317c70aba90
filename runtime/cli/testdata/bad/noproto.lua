listen{ { host = "127.0.0.1", port = 1 }, connect = function() end }
