"""Imports every feature's models, for Alembic autogenerate and the shell."""

from .accounts.models import LoginThrottle, User, inspector_centers  # noqa: F401
from .api.models import ApiKey  # noqa: F401
from .assessments.models import Answer, Assessment, AssessmentPeriod, Evidence  # noqa: F401
from .audit.models import AuditEntry, AuditHead  # noqa: F401
from .centers.models import Center, Counter, Officer  # noqa: F401
from .complaints.models import Case  # noqa: F401
from .exports.models import ExportJob  # noqa: F401
from .inspections.models import (  # noqa: F401
    Appeal,
    AppealItem,
    CorrectiveAction,
    Inspection,
    ReviewEvent,
    ReviewItem,
    Visit,
    VisitFinding,
)
from .kiosk.models import KioskDevice, KioskEnrolment, KioskItem  # noqa: F401
from .privacy.models import ConsentRecord  # noqa: F401
from .rankings.models import ScoreSnapshot, ScoringSettings  # noqa: F401
from .ratings.models import (  # noqa: F401
    CounterQR,
    Rating,
    RatingRollup,
    Receipt,
    StaffFingerprint,
    UsedNonce,
)
from .settings.models import OpeningHours, PublicHoliday, Setting  # noqa: F401
from .standards.models import Area, Criterion, Standard, StandardVersion  # noqa: F401
from .statistics.models import DossierStat, ServiceIndex  # noqa: F401
