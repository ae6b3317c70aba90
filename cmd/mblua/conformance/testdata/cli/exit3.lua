io.write("before exit")
os.exit(3)
