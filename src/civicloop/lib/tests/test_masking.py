from hypothesis import given
from hypothesis import strategies as st

from civicloop.lib.masking import mask_address, mask_name, mask_phone


def test_phone_keeps_prefix_and_last_four():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138-1234-5678") == "138****5678"
    assert mask_phone("") == ""


def test_name_keeps_only_the_surname():
    assert mask_name("王小明") == "王**"
    assert mask_name("王明") == "王*"
    assert mask_name("王") == "王*"


def test_address_hides_the_door():
    assert mask_address("辽宁省盘锦市兴隆台区胜利社区3号楼2单元") == "辽宁省盘锦市****"


@given(st.text(alphabet="0123456789", min_size=8, max_size=15))
def test_a_masked_phone_never_shows_the_middle_digits(phone):
    masked = mask_phone(phone)
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:]
    assert masked[3:-4] == "*" * (len(phone) - 7)


@given(st.text(min_size=2, max_size=10).filter(lambda s: s.strip() == s and s))
def test_a_masked_name_shows_one_character(name):
    masked = mask_name(name)
    assert masked[0] == name[0] and set(masked[1:]) == {"*"}
