print("redi")
