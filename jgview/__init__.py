"""jgview: is my JGroups cluster one cluster? Reads Keycloak/Infinispan/WildFly logs and says."""

__version__ = "0.1.0"
