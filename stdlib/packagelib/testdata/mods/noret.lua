print("loading noret", ...)
