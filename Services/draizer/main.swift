print("draizer")
