"""Imports every model so metadata is complete (migrations, Flask-Admin, tests)."""

from app.accounts.models import ApiToken, BrowserSession, LoginAttempt, RecoveryCode, Role, User, UserRole  # noqa: F401
from app.analytics.models import AnalyticsEvent, DailyRollup, Report  # noqa: F401
from app.booking.models import AvailabilityException, AvailabilityRule, Booking, SessionType  # noqa: F401
from app.coaches.models import CoachLanguage, CoachProfile, Review, Specialization  # noqa: F401
from app.community.models import (  # noqa: F401
    Discussion,
    Group,
    GroupMembership,
    PostRevision,
    Reply,
    WatchedWord,
)
from app.core.models import AuditLog, JobFailure, OutgoingMail, Setting  # noqa: F401
from app.messaging.models import Message, MessageThread, ThreadParticipant  # noqa: F401
from app.moderation.models import Flag, ModerationAction, ModerationItem  # noqa: F401
from app.notifications.models import Notification  # noqa: F401
from app.payments.bookkeeping import PaymentDayTotal, PaymentRollupState, ReconciliationItem, WebhookEvent  # noqa: F401
from app.payments.models import Payment, Refund  # noqa: F401
from app.realtime.models import UserEvent  # noqa: F401
from app.verification.models import (  # noqa: F401
    ApplicationDocument,
    ApplicationEvent,
    CertificateCheck,
    CoachApplication,
    RejectionTemplate,
)
from app.video.models import AttendanceInterval, SessionOutcome  # noqa: F401
from app.video.room_models import VideoProviderEvent, VideoRoom  # noqa: F401
