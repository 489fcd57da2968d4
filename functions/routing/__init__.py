"""The routing function: the flows' messages on the routing queue become agencies' tasks."""
