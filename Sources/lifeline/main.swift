print("lifeline: placeholder")
