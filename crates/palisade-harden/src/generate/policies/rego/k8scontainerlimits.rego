package k8scontainerlimits

# Every container (init containers too) declares CPU and memory limits, and,
# when the constraint sets a maximum (`cpu`, `memory`; "-1" turns one off),
# stays within it.

containers[c] { c := input.review.object.spec.containers[_] }
containers[c] { c := input.review.object.spec.initContainers[_] }

exempt(container) {
  pattern := object.get(input.parameters, "exemptImages", [])[_]
  not endswith(pattern, "*")
  container.image == pattern
}
exempt(container) {
  pattern := object.get(input.parameters, "exemptImages", [])[_]
  endswith(pattern, "*")
  startswith(container.image, trim_suffix(pattern, "*"))
}

judged[container] {
  container := containers[_]
  not exempt(container)
}

resources := ["cpu", "memory"]

has_limit(container, name) { _ = container.resources.limits[name] }

violation[{"msg": msg}] {
  container := judged[_]
  name := resources[_]
  not has_limit(container, name)
  msg := sprintf("Container %v has no %v limit", [container.name, name])
}

# A quantity as a number: Kubernetes suffixes (m, Ki, Mi, G, ...) read by units.parse.
amount(q) = q { is_number(q) }
amount(q) = value {
  is_string(q)
  value := units.parse(q)
}

maximum(name) = value {
  text := input.parameters[name]
  text != "-1"
  value := amount(text)
}

violation[{"msg": msg}] {
  container := judged[_]
  name := resources[_]
  limit := container.resources.limits[name]
  amount(limit) > maximum(name)
  msg := sprintf("Container %v has a %v limit of %v, above the allowed %v", [container.name, name, limit, input.parameters[name]])
}
