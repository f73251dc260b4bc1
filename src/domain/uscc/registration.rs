//! Characters 1-8: the registration authority, the entity type it registered
//! and the administrative division (GB/T 2260) the entity belongs to.

use std::sync::LazyLock;

use super::{UsccError, join_codes};

/// A registration authority (登记管理部门码, character 1) as
/// (code, Chinese name, English name, entity types it may register).
pub type RegistrationAuthority = (char, &'static str, &'static str, EntityTypes);

/// Entity types (机构类别码, character 2) as (code, Chinese name).
pub type EntityTypes = &'static [(char, &'static str)];

/// The registration authorities of GB 32100-2015, with those assigned since (A, N).
pub static REGISTRATION_AUTHORITIES: [RegistrationAuthority; 12] = [
    ('1', "机构编制", "public sector establishment", &[('1', "机关"), ('2', "事业单位"), ('3', "群众团体"), ('9', "其他")]),
    ('2', "外交", "foreign affairs", &[('1', "外国常驻新闻机构"), ('9', "其他")]),
    (
        '3',
        "司法行政",
        "judicial administration",
        &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    ),
    ('4', "文化", "culture", &[('1', "外国在华文化中心"), ('9', "其他")]),
    ('5', "民政", "civil affairs", &[('1', "社会团体"), ('2', "民办非企业单位"), ('3', "基金会"), ('9', "其他")]),
    ('6', "旅游", "tourism", &[('1', "外国旅游部门常驻代表机构"), ('2', "港澳台地区旅游部门常驻内地代表机构"), ('9', "其他")]),
    ('7', "宗教", "religious affairs", &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")]),
    ('8', "工会", "trade unions", &[('1', "基层工会"), ('9', "其他")]),
    (
        '9',
        "市场监管",
        "market regulation (formerly industry and commerce)",
        &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")],
    ),
    ('A', "中央军委改革和编制办公室", "CMC reform and establishment office", &[('1', "军队事业单位"), ('9', "其他")]),
    (
        'N',
        "农业农村",
        "agriculture and rural affairs",
        &[('1', "组级集体经济组织"), ('2', "村级集体经济组织"), ('3', "乡镇级集体经济组织"), ('9', "其他")],
    ),
    ('Y', "其他", "other", &[('1', "其他")]),
];

/// The `allowed` list of [`UsccError::InvalidEntityType`] for each entry of
/// [`REGISTRATION_AUTHORITIES`], at the same index. Built once from the table so
/// the error can carry a `&'static str` without a second, hand-kept copy.
static ENTITY_TYPE_LISTS: LazyLock<Vec<String>> = LazyLock::new(|| {
    REGISTRATION_AUTHORITIES.iter().map(|(_, _, _, types)| join_codes(types.iter().map(|&(code, _)| code))).collect()
});

/// The Chinese name of registration authority `code`, if it is one.
pub fn registration_authority_name(code: char) -> Option<&'static str> {
    REGISTRATION_AUTHORITIES.iter().find(|(authority, ..)| *authority == code).map(|&(_, name, ..)| name)
}

/// Validates characters 1-8 (authority, entity type, division), which do not
/// depend on the check characters, so [`Uscc::complete`](super::Uscc::complete) can share them.
/// `code` holds at least 8 symbols of the code's alphabet.
pub(super) fn validate_head(code: &[u8]) -> Result<(), UsccError> {
    let authority = char::from(code[0]);
    let Some(index) = REGISTRATION_AUTHORITIES.iter().position(|&(code, ..)| code == authority) else {
        return Err(UsccError::UnknownRegistrationAuthority { found: authority });
    };
    let entity_type = char::from(code[1]);
    let (.., entity_types) = REGISTRATION_AUTHORITIES[index];
    if !entity_types.iter().any(|&(code, _)| code == entity_type) {
        return Err(UsccError::InvalidEntityType { authority, found: entity_type, allowed: &ENTITY_TYPE_LISTS[index] });
    }
    let division = &code[2..8];
    if let Some(offset) = division.iter().position(|b| !b.is_ascii_digit()) {
        return Err(UsccError::InvalidDivision { position: offset + 3, found: char::from(division[offset]) });
    }
    let province = (division[0] - b'0') * 10 + (division[1] - b'0');
    if !is_province(province) {
        return Err(UsccError::UnknownProvince { code: format!("{province:02}") });
    }
    Ok(())
}

/// Whether the first two digits of a division code name a province-level
/// division of GB/T 2260, or 10 for national-level bodies.
fn is_province(code: u8) -> bool {
    matches!(
        code,
        10..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82
    )
}
