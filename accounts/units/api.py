from rest_framework import serializers, viewsets

from accounts.tenancy import scope_for
from federation import selectors
from federation.models import OrgUnit


class OrgUnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "parent_code",
            "level",
            "member_count",
            "official_code",
            "active_from",
            "active_to",
        ]


class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units inside the caller's scope. Anything else answers 404."""

    serializer_class = OrgUnitSerializer
    lookup_field = "code"
    filterset_fields = ["kind", "level"]

    def get_queryset(self):
        return selectors.unit_list(
            scope=scope_for(self.request.user),
            search=self.request.query_params.get("q", "").strip(),
        ).select_related("parent")
