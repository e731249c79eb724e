"""Resolution of an action's needs from params and instructions."""
