"""Mapping of the identity context's aggregates.

``phone`` is mapped to ``phone_ciphertext`` (the column type encrypts and decrypts it); the
private ``_phone_hmac`` attribute feeds ``phone_hmac``: a ``before_insert`` / ``before_update``
listener hands it the plain phone whenever the phone is new or changed, and the column type
stores its keyed hash. Loaded back, ``_phone_hmac`` holds that hash, which nothing reads.

``SmsThrottle.key`` is mapped to ``key_hmac`` alone: the row never holds the phone or the IP.
A throttle loaded by id carries the hash as its key; ``find_by_key`` (how the domain loads one)
gives it back the key it was asked for.

``Tenant.settings`` (a frozen ``TenantSettings``) is a composite over ``surplus_policy``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapper, registry

from adapters.persistence.sqlalchemy.mapping.support import VERSION_ATTRIBUTE, attrs_composite
from adapters.persistence.sqlalchemy.tables.identity import (
    communities,
    residents,
    roles,
    sms_codes,
    sms_throttles,
    staff,
    tenants,
)
from estate_core.identity.model import Community, Resident, Tenant, TenantSettings
from estate_core.identity.roles import Role
from estate_core.identity.sms import SmsCode, SmsThrottle
from estate_core.identity.staff import Staff

PHONE_HASH_ATTRIBUTE = "_phone_hmac"


def _hash_new_phone(mapper: Mapper[Any], connection: Any, target: Any) -> None:
    setattr(target, PHONE_HASH_ATTRIBUTE, target.phone)


def _hash_changed_phone(mapper: Mapper[Any], connection: Any, target: Any) -> None:
    if inspect(target).attrs.phone.history.has_changes():
        setattr(target, PHONE_HASH_ATTRIBUTE, target.phone)


def _map_with_phone(mappers: registry, cls: type, table: Any) -> None:
    """Map ``cls`` (versioned) with its phone encrypted and hashed as the module says."""
    mapper: Mapper[Any] = mappers.map_imperatively(
        cls,
        table,
        version_id_col=table.c.version,
        properties={
            VERSION_ATTRIBUTE: table.c.version,
            "phone": table.c.phone_ciphertext,
            PHONE_HASH_ATTRIBUTE: table.c.phone_hmac,
        },
    )
    event.listen(mapper, "before_insert", _hash_new_phone)
    event.listen(mapper, "before_update", _hash_changed_phone)


def _map_versioned(mappers: registry, cls: type, table: Any, **properties: Any) -> None:
    mappers.map_imperatively(
        cls,
        table,
        version_id_col=table.c.version,
        properties={VERSION_ATTRIBUTE: table.c.version, **properties},
    )


def map_identity(mappers: registry) -> None:
    _map_versioned(
        mappers,
        Tenant,
        tenants,
        _surplus_policy=tenants.c.surplus_policy,
        settings=attrs_composite(TenantSettings, tenants.c.surplus_policy),
    )
    _map_versioned(mappers, Community, communities)
    _map_with_phone(mappers, Resident, residents)
    _map_versioned(mappers, Role, roles)
    _map_with_phone(mappers, Staff, staff)
    _map_with_phone(mappers, SmsCode, sms_codes)
    _map_versioned(mappers, SmsThrottle, sms_throttles, key=sms_throttles.c.key_hmac)
