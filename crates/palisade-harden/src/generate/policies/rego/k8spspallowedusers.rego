package k8spspallowedusers

# The user and group IDs a Pod's containers run with, judged against the
# constraint's rules (MustRunAs, MustRunAsNonRoot, MayRunAs, RunAsAny) as
# PodSecurityPolicy judged them. A Pod is judged whole at creation; after
# that the only containers it can gain are ephemeral ones (`kubectl debug`
# adds them with an UPDATE of the pods/ephemeralcontainers subresource), so an
# UPDATE judges the ephemeral containers the old Pod did not have. (The
# Gatekeeper library's template leaves every UPDATE alone, and with it these.)

updating {
  input.review.operation == "UPDATE"
}

containers[c] { c := input.review.object.spec.containers[_] }
containers[c] { c := input.review.object.spec.initContainers[_] }
containers[c] { c := input.review.object.spec.ephemeralContainers[_] }

# Images left alone: an exact name, or a prefix written with a trailing *.
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

has_key(obj, name) { _ = obj[name] }

# A securityContext field as the kubelet applies it: the container's own
# value, else the Pod's.
effective(container, field) = value {
  value := container.securityContext[field]
}
effective(container, field) = value {
  not has_key(object.get(container, "securityContext", {}), field)
  input.review.kind.kind == "Pod"
  value := input.review.object.spec.securityContext[field]
}

is_set(container, field) { _ = effective(container, field) }

# Each ID a field gives: supplementalGroups is a list, the others one number.
ids(container, field) = values {
  value := effective(container, field)
  is_array(value)
  values := value
}
ids(container, field) = values {
  value := effective(container, field)
  not is_array(value)
  values := [value]
}

in_ranges(id, ranges) {
  range := ranges[_]
  id >= range.min
  id <= range.max
}

judged[container] {
  not updating
  container := containers[_]
  not exempt(container)
}
judged[container] {
  updating
  container := input.review.object.spec.ephemeralContainers[_]
  not had_ephemeral(container.name)
  not exempt(container)
}

had_ephemeral(name) {
  input.review.oldObject.spec.ephemeralContainers[_].name == name
}

# runAsUser: MustRunAsNonRoot
violation[{"msg": msg}] {
  input.parameters.runAsUser.rule == "MustRunAsNonRoot"
  container := judged[_]
  effective(container, "runAsUser") == 0
  msg := sprintf("Container %v runs as root (runAsUser 0); the constraint requires a non-root user", [container.name])
}
violation[{"msg": msg}] {
  input.parameters.runAsUser.rule == "MustRunAsNonRoot"
  container := judged[_]
  not is_set(container, "runAsUser")
  not effective(container, "runAsNonRoot") == true
  msg := sprintf("Container %v may run as root: set securityContext.runAsNonRoot: true or a non-zero runAsUser", [container.name])
}

# runAsUser: MustRunAs
violation[{"msg": msg}] {
  params := input.parameters.runAsUser
  params.rule == "MustRunAs"
  container := judged[_]
  user := effective(container, "runAsUser")
  not in_ranges(user, object.get(params, "ranges", []))
  msg := sprintf("Container %v runs as user %v, outside the allowed ranges %v", [container.name, user, object.get(params, "ranges", [])])
}
violation[{"msg": msg}] {
  input.parameters.runAsUser.rule == "MustRunAs"
  container := judged[_]
  not is_set(container, "runAsUser")
  msg := sprintf("Container %v sets no securityContext.runAsUser, which the constraint requires", [container.name])
}

# runAsGroup, supplementalGroups, fsGroup: MustRunAs and MayRunAs
group_fields := ["runAsGroup", "supplementalGroups", "fsGroup"]

violation[{"msg": msg}] {
  field := group_fields[_]
  params := input.parameters[field]
  params.rule != "RunAsAny"
  container := judged[_]
  id := ids(container, field)[_]
  not in_ranges(id, object.get(params, "ranges", []))
  msg := sprintf("Container %v runs with %v %v, outside the allowed ranges %v", [container.name, field, id, object.get(params, "ranges", [])])
}
violation[{"msg": msg}] {
  field := group_fields[_]
  params := input.parameters[field]
  params.rule == "MustRunAs"
  container := judged[_]
  not is_set(container, field)
  msg := sprintf("Container %v sets no securityContext.%v, which the constraint requires", [container.name, field])
}
