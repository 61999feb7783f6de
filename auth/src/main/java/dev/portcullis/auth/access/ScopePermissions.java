package dev.portcullis.auth.access;

import com.github.benmanes.caffeine.cache.Cache;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.EventLoopCaches;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Grants permissions from scopes. A verified principal is usually the same instance request after
 * request (the API-key validation cache hands it out), so the enriched principal is remembered by
 * identity: the hot path then costs one cache lookup and allocates nothing.
 */
public final class ScopePermissions {
  private final Map<String, Set<String>> grants;
  private final Cache<Principal, Principal> enriched =
      EventLoopCaches.newBuilder().weakKeys().maximumSize(100_000).build();

  public ScopePermissions(Map<String, Set<String>> grants) {
    this.grants = Map.copyOf(grants);
  }

  /** The permissions the scopes grant together; unknown scopes grant nothing. */
  public Set<String> grant(Set<String> scopes) {
    Set<String> permissions = new HashSet<>();
    for (String scope : scopes) {
      Set<String> granted = grants.get(scope);
      if (granted != null) {
        permissions.addAll(granted);
      }
    }
    return Set.copyOf(permissions);
  }

  /** The principal with the permissions its scopes grant. */
  public Principal withPermissions(Principal principal) {
    return enriched.get(principal, p -> p.withPermissions(grant(p.scopes())));
  }
}
