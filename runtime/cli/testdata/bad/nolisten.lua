print("no listen")
