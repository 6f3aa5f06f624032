"""Domain vocabulary shared by content, database and services: levels, site types, roles, districts."""

from enum import StrEnum


class Level(StrEnum):
    """School level a student lesson is written for."""

    ELEMENTARY = "elementary"
    MIDDLE = "middle"
    HIGH = "high"
    YOUTH = "youth"


class SiteType(StrEnum):
    """Kind of site in the campaign roster."""

    ELEMENTARY = "elementary"
    MIDDLE = "middle"
    HIGH = "high"
    SPECIAL = "special"
    YOUTH = "youth"


class Role(StrEnum):
    """Staff roles; students have no account and therefore no role."""

    TEACHER = "teacher"
    PRINCIPAL = "principal"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class StaffAudience(StrEnum):
    """Who a training module is for."""

    PRINCIPAL = "principal"
    STAFF = "staff"


# Default lesson level for each kind of site; special schools serve every age, so their classes pick
# a level explicitly when a class code is opened.
LEVEL_FOR_SITE_TYPE: dict[SiteType, Level | None] = {
    SiteType.ELEMENTARY: Level.ELEMENTARY,
    SiteType.MIDDLE: Level.MIDDLE,
    SiteType.HIGH: Level.HIGH,
    SiteType.SPECIAL: None,
    SiteType.YOUTH: Level.YOUTH,
}

# Seoul's 25 autonomous districts (gu): English name as used in rosters -> Korean name.
SEOUL_DISTRICTS: dict[str, str] = {
    "Jongno-gu": "종로구",
    "Jung-gu": "중구",
    "Yongsan-gu": "용산구",
    "Seongdong-gu": "성동구",
    "Gwangjin-gu": "광진구",
    "Dongdaemun-gu": "동대문구",
    "Jungnang-gu": "중랑구",
    "Seongbuk-gu": "성북구",
    "Gangbuk-gu": "강북구",
    "Dobong-gu": "도봉구",
    "Nowon-gu": "노원구",
    "Eunpyeong-gu": "은평구",
    "Seodaemun-gu": "서대문구",
    "Mapo-gu": "마포구",
    "Yangcheon-gu": "양천구",
    "Gangseo-gu": "강서구",
    "Guro-gu": "구로구",
    "Geumcheon-gu": "금천구",
    "Yeongdeungpo-gu": "영등포구",
    "Dongjak-gu": "동작구",
    "Gwanak-gu": "관악구",
    "Seocho-gu": "서초구",
    "Gangnam-gu": "강남구",
    "Songpa-gu": "송파구",
    "Gangdong-gu": "강동구",
}
